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
    413: "The upload is larger than the challenge takes.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses of one operation, for `extend_schema(responses={..., **error_responses(...)})`."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}


def add_common_error_responses(result: dict, generator, request, public) -> dict:
    """Any operation can meet a bad token (401) and the rate limit (429, with Retry-After): document both once."""
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
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, response in common.items():
                responses.setdefault(code, response)
    return result
