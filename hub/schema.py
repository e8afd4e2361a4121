"""OpenAPI schema helpers: the error shape every endpoint answers with, documented so the schema matches."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="What went wrong and what to change, for a person")
    detail = serializers.JSONField(allow_null=True, help_text="Field errors of a validation error, else null")
    code = serializers.CharField(help_text="Stable, machine-readable: not_found, daily_limit, too_large, ...")

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: "The request is invalid; `error` names the field and what to change.",
    403: "Not allowed now (the challenge is not open, the private board is hidden, or a CSRF failure).",
    404: "No such challenge, submission, file or page.",
    409: "It exists already (a dataset of yours with that slug).",
    413: "The upload is larger than the challenge takes, or than a dataset file or your dataset quota may be.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses of one operation, for `extend_schema(responses={..., **error_responses(...)})`."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}


def add_common_error_responses(result: dict, generator, request, public) -> dict:
    """Document once what any operation can meet: a bad token (401), the rate limit (429, with Retry-After), an
    address too long for the web server (414), a database outage (503, with Retry-After); and a 400 wherever a
    query parameter can be out of its range."""
    error = {"$ref": "#/components/schemas/Error"}
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "error": {"type": "string"},
                "detail": {"nullable": True},
                "code": {"type": "string"},
            },
            "required": ["error", "detail", "code"],
        },
    )
    common = {
        "401": {
            "description": "No credentials, or a token that is wrong or revoked.",
            "content": {"application/json": {"schema": error}},
        },
        "429": {
            "description": "Too many requests: wait the number of seconds in Retry-After.",
            "headers": {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait",
                    "required": True,
                }
            },
            "content": {"application/json": {"schema": error}},
        },
    }
    common["414"] = {
        # Answered by the web server (gunicorn's limit_request_line, 4094 bytes) before the hub sees the request,
        # so its body is the server's, not the JSON error.
        "description": "The address (path and query string) is longer than the web server reads; send a shorter one.",
    }
    common["503"] = {
        "description": "The hub cannot reach its database just now; nothing was saved. Retry after Retry-After.",
        "headers": common["429"]["headers"],
        "content": {"application/json": {"schema": error}},
    }
    bad_query = {
        "description": ERROR_DESCRIPTIONS[400],
        "content": {"application/json": {"schema": error}},
    }
    unsupported_body = {
        "description": "The body's Content-Type is missing or not one this operation reads; send one it lists.",
        "content": {"application/json": {"schema": error}},
    }
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, response in common.items():
                responses.setdefault(code, response)
            if "requestBody" in operation:
                # A body sent with no Content-Type, or one the operation does not read (DRF's parsers refuse it).
                responses.setdefault("415", unsupported_body)
            if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
                # A query value out of its range or not one of its values (page, page_size, split, ...).
                responses.setdefault("400", bad_query)
    return result
