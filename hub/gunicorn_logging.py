"""gunicorn's access log with the client's address by the hub's one rule (hub/addresses.py), not the proxy's."""

from django.conf import settings
from gunicorn.glogging import Logger

from .addresses import client_address_of


class ClientAddressLogger(Logger):
    """`%(h)s` of each access line is the client behind a trusted proxy (HUB_TRUSTED_PROXIES), as the rate
    limits and django-axes count it; a forwarded address from anyone else is not believed here either."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # Requests reach the log from workers, which have loaded the hub (hub.wsgi) and so its settings.
        trusted = getattr(settings, "HUB_TRUSTED_PROXIES", []) if settings.configured else []
        atoms["h"] = client_address_of(environ, trusted) or "-"
        return atoms
