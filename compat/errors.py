"""Errors in each client's own shape, built on the hub's one error handler.

The EvalAI CLI prints the body's "error" for 400, 401, 403 and 406 only, and for any other status the line
"<status> Client Error: <reason phrase> for url: ...". The Kaggle CLI raises the body's "message" when the body
has a "code" of 400 or more, prints it with a hint of its own chosen by the HTTP status, and replaces a 401's
message with its kaggle.com sign-in help. Each protocol's status table below follows from that, so that every
refusal reaches the learner as the hub's own sentence saying what to change.
"""

import functools
from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from rest_framework.exceptions import APIException, AuthenticationFailed, NotAuthenticated
from rest_framework.response import Response

from hub.api_errors import exception_handler as hub_exception_handler
from hub.errors import DomainRefusal
from submissions.leaderboard import PrivateBoardHidden
from submissions.models import LeaderboardEntry

from .evalai_serializers import split_id

# EvalAI's server answers a missing challenge, phase or submission with 406, and its CLI prints only then.
EVALAI_STATUS = {404: 406, 413: 400, 429: 403}
# 401 would print Kaggle's sign-in help and 403 a hint to accept the rules on kaggle.com: both mislead here.
KAGGLE_STATUS = {401: 400, 403: 400}
REASON_PHRASE_MAX = 200


class Refused(APIException):
    """A refusal of the compatibility layer's own (no such challenge, phase or file), with its HTTP status.
    The services' refusals (hub/errors.py DomainRefusal) reach the handlers below as they are."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(detail=message)
        self.status_code = status


def evalai_status(status: int) -> int:
    return EVALAI_STATUS.get(status, status)


def kaggle_status(status: int) -> int:
    return KAGGLE_STATUS.get(status, status)


def _handled(exc: Exception, context: dict, *, no_credentials: str) -> Response | None:
    """The hub's handler, keeping the authentication classes' own sentences: the hub's hint names its API's header,
    while these say where the key goes in each client."""
    response = hub_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, NotAuthenticated):
        response.data["error"] = no_credentials
    elif isinstance(exc, AuthenticationFailed):
        response.data["error"] = str(exc.detail)
    return response


def evalai_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, PrivateBoardHidden):
        challenge = exc.challenge
        exc = Refused(
            f"The private leaderboard of {challenge.title} is hidden until the challenge ends or its host "
            f"reveals it. The public one is `evalai challenge {challenge.pk} leaderboard "
            f"{split_id(challenge, LeaderboardEntry.Split.PUBLIC)}`.",
            status=403,
        )
    response = _handled(exc, context, no_credentials="No token was sent. Run: evalai set_token <your token>")
    if response is None:
        return None
    response.status_code = evalai_status(response.status_code)
    # The list commands print only the status line: the reason phrase carries the sentence there.
    response.reason_phrase = _reason_phrase(response.data["error"])
    return response


def kaggle_exception_handler(exc: Exception, context: dict) -> Response | None:
    response = _handled(
        exc,
        context,
        no_credentials="No key was sent. Put your hub username and API token in kaggle.json, "
        "or set KAGGLE_API_TOKEN to the token.",
    )
    if response is None:
        return None
    status = kaggle_status(response.status_code)
    response.status_code = status
    response.data = {"code": status, "message": response.data["error"]}
    return response


def kaggle_refusals(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """For Kaggle's plain Django views (the upload PUTs and downloads, outside DRF): a refusal answered in Kaggle's
    shape, with the status (and Retry-After) kaggle_exception_handler gives it."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainRefusal as error:
            response = kaggle_exception_handler(error, {"request": request})
            answer = JsonResponse(response.data, status=response.status_code)
            if "Retry-After" in response:
                answer["Retry-After"] = response["Retry-After"]
            return answer

    return wrapped


def _reason_phrase(message: str) -> str:
    """An HTTP reason phrase must be one line of printable ASCII."""
    ascii_text = "".join(ch if " " <= ch <= "~" else " " for ch in message)
    return " ".join(ascii_text.split())[:REASON_PHRASE_MAX] or "Error"
