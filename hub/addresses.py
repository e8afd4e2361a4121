"""The client's address of a request: the one answer used by the rate limits (DRF), django-axes and the logs.

X-Forwarded-For is anyone's to send, so it is read only when the request comes from a proxy listed in
HUB_TRUSTED_PROXIES (addresses or networks, none by default). Then the client is the rightmost address in the
header that is not itself a trusted proxy: each proxy appends the address it was connected from, so everything
left of that address is whatever the client chose to send.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"HUB_TRUSTED_PROXIES holds '{proxy}', which is not an IP address or network such as "
                "172.18.0.1 or 10.0.0.0/8."
            ) from None
    return tuple(networks)


def _is_trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address_of(meta: Mapping[str, Any], trusted_proxies: Iterable[str]) -> str:
    """The client's address from a WSGI environ (request.META), trusting X-Forwarded-For only from the proxies
    given. Works without Django settings, for gunicorn's access log."""
    remote = str(meta.get("REMOTE_ADDR") or "")
    networks = trusted_networks(tuple(trusted_proxies))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
    hops = [part for part in forwarded if part]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            # A well-behaved proxy appends only addresses; anything else is the client's own text.
            return hop if _is_address(hop) else remote
    # Every hop is a trusted proxy (a request from inside): the first one is where it began.
    return hops[0] if hops else remote


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_address(request: Any) -> str:
    """The client's address of a Django or DRF request, by HUB_TRUSTED_PROXIES (also AXES_CLIENT_IP_CALLABLE)."""
    return client_address_of(request.META, settings.HUB_TRUSTED_PROXIES)
