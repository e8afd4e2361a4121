"""One JSON shape for every API error: {"error": "<a sentence for a person>", "detail": <the specifics>}."""

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(detail: Any, field: str | None = None) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            return _first_message(value, None if key in ("non_field_errors", "detail") else key)
        return "Invalid request."
    if isinstance(detail, list):
        return _first_message(detail[0], field) if detail else "Invalid request."
    text = str(detail)
    return f"{field}: {text}" if field else text


# Django refuses these while reading the request; left to Django, they become a bare HTML "Bad Request" page.
_REQUEST_LIMITS = {
    RequestDataTooBig: (
        413,
        "The request body is too large. Send files as multipart uploads, other data under 1 MB.",
    ),
    TooManyFieldsSent: (400, "The request has too many fields."),
    TooManyFilesSent: (400, "The request has too many files. Upload one file at a time."),
}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    for exception_class, (status, message) in _REQUEST_LIMITS.items():
        if isinstance(exc, exception_class):
            return Response({"error": message, "detail": None}, status=status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"error": str(data["detail"]), "detail": None}
    else:
        response.data = {"error": _first_message(data), "detail": data}
    return response
