"""Request rate limits (DRF throttling, counted in the cache); a refused request is a 429 with `Retry-After`.

Every limit keys anonymous requests on hub.addresses.client_address, never on X-Forwarded-For as sent. The API's
views use the classes below through REST_FRAMEWORK; the pages use `rate_limited_by_address`, which counts with
the same DRF machinery: the sign-in form and the API token endpoint share one count of sign-in attempts per
address ("auth"), and a password-reset form gets its own ("password_reset") by decorating its view.
"""

import functools
import math
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import throttling
from rest_framework.settings import api_settings

from .addresses import client_address


class _RateFromSettings:
    """DRF binds THROTTLE_RATES when its module is imported; reading it per request lets the rates come from
    settings as they are now (environment at start-up, `override_settings` in tests). The ident is the client's
    address by the hub's one rule (HUB_TRUSTED_PROXIES), not DRF's reading of X-Forwarded-For."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        return client_address(request)


class AnonRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_RateFromSettings, throttling.ScopedRateThrottle):
    """A tighter limit for one view, named by its `throttle_scope` (e.g. sign-in attempts)."""


class AddressRateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """A limit per client address whoever is signed in, for forms that anyone may post (sign-in, password reset).

    Its cache key is the one ScopedRateThrottle gives an anonymous caller of the same scope, so a page and an API
    endpoint of one scope draw on one count.
    """

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


SIGN_IN_SCOPE = "auth"
PASSWORD_RESET_SCOPE = "password_reset"
RATE_LIMIT_MESSAGES = {
    SIGN_IN_SCOPE: "Too many sign-in attempts from your address.",
    PASSWORD_RESET_SCOPE: "Too many password-reset requests from your address.",
}


def rate_limited_by_address(scope: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Decorate a page view so that its `methods` count against the per-address limit of `scope` (a key of
    DEFAULT_THROTTLE_RATES); past it the visitor gets a 429 page saying how long to wait, with Retry-After.

    Use: `@rate_limited_by_address(SIGN_IN_SCOPE)` on the sign-in view; `@rate_limited_by_address
    (PASSWORD_RESET_SCOPE)` on a password-reset request view.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                throttle = AddressRateThrottle(scope)
                if not throttle.allow_request(request, None):
                    return _too_many(request, scope, math.ceil(throttle.wait() or 1))
            return view(request, *args, **kwargs)

        return limited

    return decorate


def _too_many(request: HttpRequest, scope: str, seconds: int) -> HttpResponse:
    message = (
        f"{RATE_LIMIT_MESSAGES.get(scope, 'Too many requests from your address.')} "
        f"Wait {seconds} seconds and try again."
    )
    response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
