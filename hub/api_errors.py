"""One JSON shape for every API error: {"error": "<a sentence for a person>", "detail": <the specifics>}."""

from typing import Any

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


def exception_handler(exc: Exception, context: dict) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"error": str(data["detail"]), "detail": None}
    else:
        response.data = {"error": _first_message(data), "detail": data}
    return response
