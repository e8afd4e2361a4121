"""The rate limit of password-reset requests per address asked for.

The limit per client address is hub.throttling's `rate_limited_by_address(PASSWORD_RESET_SCOPE)` on the view, the
same piece the sign-in form uses; this one adds the count per e-mail address, which only the form knows. DRF's
SimpleRateThrottle (a sliding window in Django's cache) keyed on our own ident, so it works for a plain form view.
"""

import hashlib

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle


class KeyedThrottle(SimpleRateThrottle):
    """A throttle whose key is given, not read from the request; its rate is read from a setting per use."""

    rate_setting: str

    def __init__(self, ident: str):
        self.ident = ident
        super().__init__()

    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


class PasswordResetEmailThrottle(KeyedThrottle):
    scope = "password_reset_email"
    rate_setting = "HUB_PASSWORD_RESET_RATE_EMAIL"


def password_reset_wait(*, request: HttpRequest, email: str) -> int | None:
    """Count one reset request for `email`; None if allowed, else the seconds to wait.

    It counts every request, whether or not an account has that address, so being refused says nothing about
    which addresses exist. The address is hashed: cache keys are not a place for personal data.
    """
    throttle = PasswordResetEmailThrottle(hashlib.sha256(email.strip().lower().encode()).hexdigest())
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 1))
