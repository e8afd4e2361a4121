"""Sign-in throttling with django-axes: the backend that checks it, and what a locked-out sign-in sees."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """429 with Retry-After: the API's error shape under /api/, a page elsewhere."""
    seconds = round(float(settings.AXES_COOLOFF_TIME) * 3600)
    message = (
        f"Too many failed sign-ins for this account from your address. Wait {seconds // 60} minutes and try "
        "again, or reset your password."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": message, "detail": None, "code": "locked_out"}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class ThrottledSignInBackend(AxesStandaloneBackend):
    """Axes' check on every sign-in that comes with a request: the sign-in page, the token endpoint, the admin.

    Axes refuses an authenticate() without a request; this lets one through to the next backend instead, because
    only code on the server makes such calls (Django's test client's login(), scripts in `manage.py shell`), never
    a visitor, and throttling is keyed on the request's address anyway.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
