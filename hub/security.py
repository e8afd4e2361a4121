"""What a locked-out sign-in sees (django-axes calls it through AXES_LOCKOUT_CALLABLE)."""

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
