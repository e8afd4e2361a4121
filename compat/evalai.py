"""The EvalAI CLI's endpoints (`evalai host -sh URL`, `evalai set_token TOKEN`), over the hub's selectors and
services: the same visibility, limits and validation as the hub's own API.

Paths are EvalAI's, several without a trailing slash; the CLI reads only the first page of a list.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.http import Http404, JsonResponse
from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.pagination import PageNumberPagination
from projects.models import Challenge
from projects.selectors import challenge_get_visible_by_id, challenges_listed
from submissions.leaderboard import leaderboard_page
from submissions.models import LeaderboardEntry, Submission
from submissions.selectors import (
    submission_get_visible,
    submissions_of,
)
from submissions.services.submit import submission_create
from submissions.team_selectors import teams_of_user

from .authentication import EvalAIBearerAuthentication
from .errors import Refused, evalai_exception_handler
from .evalai_serializers import (
    challenge_json,
    leaderboard_row_json,
    participant_team_json,
    phase_json,
    phase_split_json,
    split_of,
    submission_json,
    submission_result_json,
)

# `evalai challenges`, `... past`, `... future` and EvalAI's own "present" list: hub statuses by EvalAI's word.
LIST_STATUSES = {"all": None, "past": "ended", "present": "open", "future": "upcoming"}
RESULT_SALT = "compat.evalai.result"
RESULT_MAX_AGE = 60 * 60
DESCRIPTION_MAX = Submission._meta.get_field("description").max_length


class Pagination(PageNumberPagination):
    # The CLI reads only the first page of every list.
    page_size = 100


class EvalAIView(APIView):
    # Another client's protocol, not the hub's API: left out of its OpenAPI schema.
    schema = None
    authentication_classes = [EvalAIBearerAuthentication]
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return evalai_exception_handler

    def paginated(self, request: Request, items: Iterable, to_json: Callable[[Any], dict]) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response([to_json(item) for item in page])


def _challenge(challenge_id: int, viewer: AbstractBaseUser) -> Challenge:
    try:
        return challenge_get_visible_by_id(challenge_id=challenge_id, viewer=viewer)
    except Http404:
        raise Refused(
            f"There is no challenge {challenge_id}. `evalai challenges` lists them.", status=406
        ) from None


def _phase(challenge_id: int, phase_id: int, viewer: AbstractBaseUser) -> Challenge:
    challenge = _challenge(challenge_id, viewer)
    if phase_id != challenge.pk:
        raise Refused(
            f"Challenge {challenge.pk} has one phase, number {challenge.pk}: "
            f"use `evalai challenge {challenge.pk} phase {challenge.pk} ...`.",
            status=406,
        )
    return challenge


def _result_url(request: Request) -> Callable[[Submission], str | None]:
    """Finished submissions get a signed link to their result file; the CLI fetches it without its token, so
    the link names the learner it was given to and is good for RESULT_MAX_AGE seconds only."""

    def result_url(submission: Submission) -> str | None:
        if submission.status not in Submission.FINAL_STATUSES:
            return None
        token = signing.dumps({"s": submission.pk, "u": request.user.pk}, salt=RESULT_SALT)
        return request.build_absolute_uri(reverse("evalai-result-file", args=[token]))

    return result_url


class ChallengeListApi(EvalAIView):
    def get(self, request: Request, time: str, approved: str, public: str) -> Response:
        if time not in LIST_STATUSES:
            raise Refused(f"List challenges by all, past, present or future, not '{time}'.", status=406)
        return self.paginated(
            request, challenges_listed(viewer=request.user, status=LIST_STATUSES[time]), challenge_json
        )


class ChallengeDetailApi(EvalAIView):
    def get(self, request: Request, challenge_id: int) -> Response:
        return Response(challenge_json(_challenge(challenge_id, request.user)))


class PhaseListApi(EvalAIView):
    def get(self, request: Request, challenge_id: int) -> Response:
        return self.paginated(request, [_challenge(challenge_id, request.user)], phase_json)


class PhaseDetailApi(EvalAIView):
    def get(self, request: Request, challenge_id: int, phase_id: int) -> Response:
        return Response(phase_json(_phase(challenge_id, phase_id, request.user)))


class PhaseSplitListApi(EvalAIView):
    def get(self, request: Request, challenge_id: int) -> Response:
        challenge = _challenge(challenge_id, request.user)
        return Response(
            [
                phase_split_json(challenge, split, viewer=request.user)
                for split in LeaderboardEntry.Split.values
            ]
        )


class SubmissionCreateSerializer(serializers.Serializer):
    input_file = serializers.FileField(allow_empty_file=True)
    method_name = serializers.CharField(required=False, allow_blank=True, default="")
    method_description = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, data: dict) -> dict:
        """submission_create's arguments: the file, and the method's name and description as one description."""
        parts = [data["method_name"].strip(), data["method_description"].strip()]
        description = ": ".join(part for part in parts if part)
        if len(description) > DESCRIPTION_MAX:
            raise serializers.ValidationError(
                f"The method name and description together are {len(description)} characters; "
                f"the hub keeps at most {DESCRIPTION_MAX}. Shorten them."
            )
        return {"file": data["input_file"], "description": description}


class SubmissionListCreateApi(EvalAIView):
    """`... phase M submissions` lists the learner's submissions; `... phase M submit --file F` uploads one."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def get(self, request: Request, challenge_id: int, phase_id: int) -> Response:
        challenge = _phase(challenge_id, phase_id, request.user)
        result_url = _result_url(request)
        return self.paginated(
            request,
            submissions_of(challenge=challenge, user=request.user).select_related(
                "user", "participant__user"
            ),
            lambda submission: submission_json(submission, result_url=result_url, viewer=request.user),
        )

    def post(self, request: Request, challenge_id: int, phase_id: int) -> Response:
        challenge = _phase(challenge_id, phase_id, request.user)
        form = SubmissionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        submission = submission_create(user=request.user, challenge=challenge, **form.validated_data)
        return Response(
            submission_json(submission, result_url=_result_url(request)), status=status.HTTP_201_CREATED
        )


class SubmissionDetailApi(EvalAIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request, submission_id: int) -> Response:
        try:
            submission = submission_get_visible(submission_id=submission_id, user=request.user)
        except Http404 as error:
            raise Refused(str(error), status=406) from None
        return Response(submission_json(submission, result_url=_result_url(request), viewer=request.user))


class LeaderboardApi(EvalAIView):
    def get(self, request: Request, phase_split_id: int) -> Response:
        named = split_of(phase_split_id)
        if named is None:
            raise Refused(
                f"There is no phase split {phase_split_id}. `evalai challenge N phase N splits` lists them.",
                status=406,
            )
        challenge_id, split = named
        challenge = _challenge(challenge_id, request.user)
        base = request.build_absolute_uri(request.path)
        board = leaderboard_page(
            challenge=challenge,
            split=split,
            viewer=request.user,
            page=request.query_params.get("page"),
            page_size=request.query_params.get("page_size"),
            default_size=Pagination.page_size,
            link=lambda window: f"{base}?page={window.number}&page_size={window.size}",
        )
        return Response(
            {
                "count": board.count,
                "next": board.next,
                "previous": board.previous,
                "results": [
                    leaderboard_row_json(row, challenge=challenge, split=split) for row in board.rows
                ],
            }
        )


class ResultFileApi(EvalAIView):
    """The result file the CLI fetches without its token: the signed, short-lived link is the key, and it opens
    only what the learner it was given to may see. A caller who does send a token must be that learner."""

    def get(self, request: Request, token: str) -> JsonResponse:
        invalid = JsonResponse(
            {"error": "This result link is invalid or has expired. Run `evalai submission ID result` again."},
            status=404,
        )
        try:
            data = signing.loads(token, salt=RESULT_SALT, max_age=RESULT_MAX_AGE)
        except signing.BadSignature:
            return invalid
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("s"), int)
            or not isinstance(data.get("u"), int)
        ):
            return invalid
        owner = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
        if owner is None or (request.user.is_authenticated and request.user.pk != owner.pk):
            return invalid
        try:
            submission = submission_get_visible(submission_id=data["s"], user=owner)
        except Http404:
            return invalid
        if submission.status not in Submission.FINAL_STATUSES:
            return JsonResponse({"error": "This submission has no result."}, status=404)
        return JsonResponse(submission_result_json(submission, viewer=owner), json_dumps_params={"indent": 2})


class ParticipantTeamListApi(EvalAIView):
    """`evalai teams --participant`: the learner's teams, one a challenge (a learner on their own is a team of one)."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return self.paginated(request, teams_of_user(user=request.user), participant_team_json)
