"""HUB_REQUIRE_VERIFIED_EMAIL: an account without a verified address may read and manage itself, not act."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from accounts.authentication import TokenOrBearerAuthentication
from accounts.services.email_address import email_is_verified

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Signing out, verifying the address and the admin stay open, or nobody could ever get verified.
OPEN_PREFIXES = ("/accounts/", "/admin/")
MESSAGE = "Verify your e-mail address first: this hub asks for one before you submit or post."


def acting_user(request: HttpRequest):
    """The session's user, or on /api/ the user of a valid token; None for an anonymous request. Reads no body."""
    if request.user.is_authenticated:
        return request.user
    if request.path.startswith("/api/") and request.headers.get("Authorization"):
        try:
            found = TokenOrBearerAuthentication().authenticate(Request(request))
        except APIException:
            return None  # the API view itself answers the bad token
        return found[0] if found else None
    return None


class RequireVerifiedEmailMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.HUB_REQUIRE_VERIFIED_EMAIL
            and request.method not in SAFE_METHODS
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            user = acting_user(request)
            if user is not None and not user.is_superuser and not email_is_verified(user):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "error": MESSAGE + " Do it at /accounts/email/.",
                            "detail": None,
                            "code": "email_not_verified",
                        },
                        status=403,
                    )
                messages.error(request, MESSAGE)
                return redirect("email-settings")
        return self.get_response(request)
