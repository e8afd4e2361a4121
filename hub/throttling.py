"""Request rate limits of the API (DRF throttling); a refused request is a 429 with `Retry-After`."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _RateFromSettings:
    """DRF binds THROTTLE_RATES when its module is imported; reading it per request lets the rates come from
    settings as they are now (environment at start-up, `override_settings` in tests)."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_RateFromSettings, throttling.ScopedRateThrottle):
    """A tighter limit for one view, named by its `throttle_scope` (e.g. sign-in attempts)."""
