"""One JSON shape for every API error:
{"error": "<a sentence for a person: what went wrong and what to change>", "detail": <the specifics>, "code": "..."}.

`detail` holds the field errors of a validation error (else null); `code` is stable for scripts (e.g.
"daily_limit", "too_large", "not_found", "throttled").
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from community.errors import DiscussionReason
from projects.bundles import BundleError
from projects.errors import DatasetReason
from projects.hosting import HostingError
from submissions.errors import Reason, TeamReason
from submissions.leaderboard import PrivateBoardHidden

from .errors import DomainRefusal

TOKEN_HINT = (
    "Send your API token as 'Authorization: Token <key>'; get one at /accounts/token/ "
    "or from POST /api/v1/auth/token/ with your username and password."
)


def _first_message(detail: Any, field: str | None = None) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            return _first_message(value, None if key in ("non_field_errors", "detail") else key)
        return "Invalid request."
    if isinstance(detail, list):
        return _first_message(detail[0], field) if detail else "Invalid request."
    text = str(detail)
    return f"{field}: {text}" if field else text


def _first_code(codes: Any) -> str:
    if isinstance(codes, dict):
        return _first_code(next(iter(codes.values()), "invalid"))
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else "invalid"
    return str(codes)


def _message(exc: Exception, data: Any) -> str:
    plain = isinstance(data, dict) and set(data) == {"detail"}
    message = str(data["detail"]) if plain else _first_message(data)
    if isinstance(exc, exceptions.NotAuthenticated):
        return f"No credentials were sent. {TOKEN_HINT}"
    if isinstance(exc, exceptions.AuthenticationFailed):
        return f"{message} Check the token you sent, or get a new one. {TOKEN_HINT}"
    if isinstance(exc, exceptions.Throttled):
        wait = f"{exc.wait} seconds" if exc.wait else "a moment"
        return f"Too many requests: wait {wait} (the Retry-After header says how long) and try again."
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return f"{message} Send the upload as multipart/form-data, with the file in the field 'file'."
    return message


# Django refuses these while reading the request; left to Django, they become a bare HTML "Bad Request" page.
_REQUEST_LIMITS = {
    RequestDataTooBig: (413, "too_large", "The request body is too large. Send files as multipart uploads, "
                        "other data under 1 MB."),
    TooManyFieldsSent: (400, "too_many_fields", "The request has too many fields."),
    TooManyFilesSent: (400, "too_many_files", "The request has too many files. Upload one file at a time."),
}  # fmt: skip
# The leaderboard's one refusal (submissions/leaderboard/visibility.py), in the API's words.
PRIVATE_BOARD_HIDDEN = (
    "The private leaderboard is hidden until the challenge ends or the host reveals it. Ask for split=public."
)


# The status of every reason of every refusal family (hub/errors.py), in one place. The pages answer with the same
# statuses; each compatibility layer maps these to its own (compat/errors.py).
SUBMISSION_REFUSAL_STATUS = {
    Reason.NOT_AUTHENTICATED: 401,
    Reason.EMAIL_NOT_VERIFIED: 403,
    Reason.NOT_OPEN: 403,
    Reason.ENDED: 403,
    Reason.EMPTY_FILE: 400,
    Reason.TOO_LARGE: 413,
    Reason.NOT_CSV: 400,
    Reason.TOTAL_LIMIT: 429,
    Reason.DAILY_LIMIT: 429,
    Reason.NOT_OWNER: 403,
    Reason.FINAL_SELECTION_CLOSED: 409,
    Reason.NOT_SCORED: 409,
    Reason.DISQUALIFIED: 409,
    Reason.FINAL_LIMIT: 409,
    Reason.UPLOAD_EXPIRED: 400,
    Reason.UPLOAD_BAD_TOKEN: 400,
    Reason.UPLOAD_LARGER_THAN_ANNOUNCED: 413,
    Reason.UPLOAD_INCOMPLETE: 400,
    Reason.UPLOAD_MISSING: 400,
}
# 409 for a team change: a conflict with the teams as they are now, that may succeed later or after another change.
TEAM_REFUSAL_STATUS = {reason: 409 for reason in TeamReason} | {
    TeamReason.NAME_INVALID: 400,
    TeamReason.NOT_LEADER: 403,
    TeamReason.NOT_MEMBER: 403,
    TeamReason.NOT_FOUND: 404,
    TeamReason.INVITE_INVALID: 404,
}
DATASET_REFUSAL_STATUS = {
    DatasetReason.INVALID: 400,
    DatasetReason.EXISTS: 409,
    DatasetReason.PERMISSION_DENIED: 403,
    DatasetReason.TOO_LARGE: 413,
    DatasetReason.QUOTA_EXCEEDED: 413,
    DatasetReason.NOT_READY: 503,
}
DISCUSSION_REFUSAL_STATUS = {
    DiscussionReason.INVALID: 400,
    DiscussionReason.NOT_FOUND: 404,
    DiscussionReason.PERMISSION_DENIED: 403,
    DiscussionReason.TOPIC_LOCKED: 403,
    DiscussionReason.THROTTLED: 429,
}
REFUSAL_STATUS = (
    SUBMISSION_REFUSAL_STATUS | TEAM_REFUSAL_STATUS | DATASET_REFUSAL_STATUS | DISCUSSION_REFUSAL_STATUS
)


def refusal_status(error: DomainRefusal) -> int:
    return REFUSAL_STATUS[error.reason]


def refusal_response(error: DomainRefusal) -> Response:
    """The REST API's answer to a refusal of any family: its status, the one JSON shape, and Retry-After when
    the refusal says when to ask again (or it is a 429)."""
    set_rollback()
    response = Response(
        {"error": error.message, "detail": None, "code": error.code}, status=refusal_status(error)
    )
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return _with_retry_after(response, error)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainRefusal):
        return refusal_response(exc)
    if isinstance(exc, BundleError | HostingError):
        # A host's bundle or request that cannot be used as it is: the message names what to change.
        code = "bad_bundle" if isinstance(exc, BundleError) else "invalid"
        return Response({"error": str(exc), "detail": None, "code": code}, status=400)
    for exception_class, (status_code, code, message) in _REQUEST_LIMITS.items():
        if isinstance(exc, exception_class):
            return Response({"error": message, "detail": None, "code": code}, status=status_code)
    if isinstance(exc, PrivateBoardHidden):
        return Response({"error": PRIVATE_BOARD_HIDDEN, "detail": None, "code": "private_hidden"}, status=403)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    plain = isinstance(data, dict) and set(data) == {"detail"}
    if isinstance(exc, exceptions.APIException):
        code = _first_code(exc.get_codes())
    else:  # Http404 and PermissionDenied, which DRF turned into its own
        code = "not_found" if response.status_code == status.HTTP_404_NOT_FOUND else "permission_denied"
    response.data = {"error": _message(exc, data), "detail": None if plain else data, "code": code}
    return _with_retry_after(response, exc)


def _with_retry_after(response: Response, exc: Exception) -> Response:
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" not in response:
        response["Retry-After"] = str(getattr(exc, "wait", None) or 1)
    return response


@csrf_exempt  # a POST to an unknown address is a 404, not a CSRF failure page
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown addresses under /api/ answer in JSON too, not with the HTML 404 page."""
    return JsonResponse(
        {
            "error": f"There is no API endpoint {request.path}. The endpoints are listed at /api/docs/.",
            "detail": None,
            "code": "not_found",
        },
        status=404,
    )
