"""Rate limits of password-reset requests: per address asked for and per client address.

DRF's SimpleRateThrottle (a sliding window in Django's cache) keyed on our own idents, so it works for a plain
Django form view too. Kept as one named piece for the sign-in limit of issue 21 to fold in: `client_address` is the
one place that says which address a request comes from (REMOTE_ADDR only: X-Forwarded-For is forgeable unless
a trusted proxy set it, which issue 21 configures).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


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


class PasswordResetAddressThrottle(KeyedThrottle):
    scope = "password_reset_ip"
    rate_setting = "HUB_PASSWORD_RESET_RATE_IP"


@dataclass(frozen=True)
class Refusal:
    retry_after: int


def password_reset_allowed(*, request: HttpRequest, email: str) -> Refusal | None:
    """Count one reset request; None if allowed, else how long to wait.

    Both limits count every request, whether or not an account has that address, so being refused says nothing
    about which addresses exist. The address is hashed: cache keys are not a place for personal data.
    """
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    throttles = [PasswordResetAddressThrottle(client_address(request)), PasswordResetEmailThrottle(email_key)]
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, None)]
    if waits:
        return Refusal(retry_after=max(1, int(max(w or 1 for w in waits))))
    return None
