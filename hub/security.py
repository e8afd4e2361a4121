"""What a locked-out sign-in sees (django-axes calls it through AXES_LOCKOUT_CALLABLE)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = (
        f"Too many failed sign-ins for this account from your address. Wait {minutes} minutes and try again, "
        "or reset your password."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message, "detail": None}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
