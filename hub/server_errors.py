"""What a visitor gets when the error is not theirs: the database is down (503 with Retry-After), or a bug (500).

Django's handler500 (hub/urls.py) runs for every uncaught exception, from a view, a DRF view (DRF hands back
what its exception handler does not know) or a middleware: one place, so every protocol answers alike. The answer
is in each protocol's shape: the API's JSON ({"error", "detail", "code"}, docs/api.md), the Kaggle CLI's
({"code", "message"}), or a page extending base.html for the web. Pages are rendered without the request: its
context processors read the session and the messages, which live in the database that may be the thing down.
"""

import re
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from .api_errors import refusal_status
from .errors import DomainRefusal

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = (
    "The hub cannot reach its database just now; nothing you sent was lost or half-saved. "
    f"Try again in {RETRY_AFTER_SECONDS} seconds."
)
BROKEN = (
    "The hub hit an unexpected error answering this request; its hosts can see what happened in the logs. "
    "Try again; if it happens again, tell the hub's hosts what you did."
)
_KAGGLE_PATH = re.compile(r"^/(api/v1/[a-z]+\.[A-Za-z]+Service/|compat/kaggle/)")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: called by Django while the exception is being handled, so sys.exc_info() names it."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = protocol_error(request, 503, "unavailable", UNAVAILABLE, "503.html")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return protocol_error(request, 500, "server_error", BROKEN, "500.html")


def protocol_refusal(request: HttpRequest, error: DomainRefusal, template: str) -> HttpResponse:
    """A refusal answered before any view runs (a middleware's), with the REST API's status for it."""
    return protocol_error(request, refusal_status(error), error.code, error.message, template)


def protocol_error(request: HttpRequest, status: int, code: str, message: str, template: str) -> HttpResponse:
    """An error answered outside DRF's views (no exception handler of theirs runs), in the protocol's shape."""
    if _KAGGLE_PATH.match(request.path):
        return JsonResponse({"code": status, "message": message}, status=status)
    if request.path.startswith(("/api/", "/compat/")):
        return JsonResponse({"error": message, "detail": None, "code": code}, status=status)
    return HttpResponse(loader.render_to_string(template, {"message": message}), status=status)
