"""The Kaggle CLI's endpoints: JSON POSTs to /api/v1/<Service>/<Method>, over the hub's selectors and services.

The CLI (kaggle 2.x with kagglesdk) calls http://localhost when KAGGLE_API_ENVIRONMENT=LOCALHOST, so the hub
must answer on port 80 there. Downloads are answered with a redirect to a URL whose last part is the file name
(the CLI names the saved file after it); the upload is PUT to a URL holding a signed ticket.
"""

import io
import zipfile

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.parsers import JSONParser
from projects.models import Challenge
from projects.selectors import (
    challenge_data_files,
    challenge_get_visible,
    challenges_listed,
    data_file_get,
)
from submissions.leaderboard import (
    Viewer,
    leaderboard_csv,
    leaderboard_learner_counts,
    leaderboard_page,
    leaderboard_row_of,
    leaderboard_split_visible,
)
from submissions.models import LeaderboardEntry
from submissions.selectors import (
    challenge_ids_entered,
    submission_get_visible,
    submission_limits,
    submissions_of,
)

from . import kaggle_serializers as shapes
from .authentication import KaggleKeyAuthentication, user_of_key
from .errors import Refused, kaggle_exception_handler, kaggle_refusals
from .services import kaggle_upload_start, kaggle_upload_store, kaggle_upload_submit, kaggle_upload_ticket

COMPETITIONS = "competitions.CompetitionApiService"
ENTERED_GROUP = "COMPETITION_LIST_TAB_ENTERED"
UPCOMING_GROUP = "COMPETITION_LIST_TAB_UNLAUNCHED"


class KaggleView(APIView):
    # Another client's protocol, not the hub's API: left out of its OpenAPI schema.
    schema = None
    authentication_classes = [KaggleKeyAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return kaggle_exception_handler

    def valid(self, serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
        form = serializer_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        return form


def _challenge(slug: str, viewer: AbstractBaseUser) -> Challenge:
    try:
        return challenge_get_visible(slug=slug, viewer=viewer)
    except Http404:
        raise Refused(
            f"There is no challenge '{slug}'. `kaggle competitions list` shows each one's slug (ref).",
            status=404,
        ) from None


def _board_split(challenge: Challenge, viewer: Viewer) -> str:
    # As on Kaggle: the public board while the challenge runs, the private one once it is shown.
    private = leaderboard_split_visible(challenge, LeaderboardEntry.Split.PRIVATE, viewer)
    return LeaderboardEntry.Split.PRIVATE if private else LeaderboardEntry.Split.PUBLIC


class ListCompetitions(KaggleView):
    def post(self, request: Request) -> Response:
        form = self.valid(shapes.ListCompetitionsRequest)
        data = form.validated_data
        entered = challenge_ids_entered(user=request.user)
        challenges = challenges_listed(
            viewer=request.user, status="upcoming" if data["group"] == UPCOMING_GROUP else None
        )
        if data["group"] == ENTERED_GROUP:
            challenges = challenges.filter(pk__in=entered)
        if data["search"]:
            challenges = challenges.filter(
                Q(title__icontains=data["search"]) | Q(slug__icontains=data["search"])
            )
        offset, page_size = form.offset(), data["pageSize"]
        total = challenges.count()
        page = list(challenges[offset : offset + page_size])
        learners = leaderboard_learner_counts(challenge_ids=[challenge.pk for challenge in page])
        competitions = []
        for challenge in page:
            row = (
                leaderboard_row_of(
                    challenge=challenge, split=_board_split(challenge, request.user), user=request.user
                )
                if challenge.pk in entered
                else None
            )
            competitions.append(
                shapes.competition_json(
                    challenge,
                    url=request.build_absolute_uri(reverse("challenge-detail", args=[challenge.slug])),
                    learners=learners.get(challenge.pk, 0),
                    entered=challenge.pk in entered,
                    rank=row.rank if row else None,
                )
            )
        return Response(
            {"competitions": competitions, "nextPageToken": shapes.next_page_token(offset, page_size, total)}
        )


class ListDataFiles(KaggleView):
    def post(self, request: Request) -> Response:
        form = self.valid(shapes.CompetitionPagedRequest)
        files = challenge_data_files(_challenge(form.validated_data["competitionName"], request.user))
        offset, page_size = form.offset(), form.validated_data["pageSize"]
        return Response(
            {
                "files": [
                    shapes.data_file_json(data_file) for data_file in files[offset : offset + page_size]
                ],
                "nextPageToken": shapes.next_page_token(offset, page_size, files.count()),
            }
        )


class DownloadDataFile(KaggleView):
    def post(self, request: Request) -> HttpResponseRedirect:
        form = self.valid(shapes.DownloadDataFileRequest)
        challenge = _challenge(form.validated_data["competitionName"], request.user)
        try:
            data_file = data_file_get(challenge=challenge, name=form.validated_data["fileName"])
        except Http404:
            names = ", ".join(challenge_data_files(challenge).values_list("name", flat=True))
            raise Refused(
                f"{challenge.slug} has no file '{form.validated_data['fileName']}'. Its files: {names}.",
                status=404,
            ) from None
        return HttpResponseRedirect(reverse("data-file-download", args=[challenge.slug, data_file.name]))


class DownloadDataFiles(KaggleView):
    def post(self, request: Request) -> HttpResponseRedirect:
        challenge = _challenge(
            self.valid(shapes.CompetitionRequest).validated_data["competitionName"], request.user
        )
        return HttpResponseRedirect(reverse("challenge-data-zip", args=[challenge.slug]))


class StartSubmissionUpload(KaggleView):
    def post(self, request: Request) -> Response:
        data = self.valid(shapes.StartSubmissionUploadRequest).validated_data
        challenge = _challenge(data["competitionName"], request.user)
        token = kaggle_upload_start(
            user=request.user, challenge=challenge, file_name=data["fileName"], size=data["contentLength"]
        )
        return Response(
            {"token": token, "createUrl": request.build_absolute_uri(reverse("kaggle-upload", args=[token]))}
        )


class CreateSubmission(KaggleView):
    def post(self, request: Request) -> Response:
        data = self.valid(shapes.CreateSubmissionRequest).validated_data
        challenge = _challenge(data["competitionName"], request.user)
        submission = kaggle_upload_submit(
            user=request.user,
            challenge=challenge,
            token=data["blobFileTokens"],
            description=data["submissionDescription"],
        )
        return Response(
            {
                "message": f"Successfully submitted to {challenge.title}. "
                f"It is scored in the background: `kaggle competitions submissions -c {challenge.slug}`.",
                "ref": submission.pk,
            }
        )


class GetSubmissionLimits(KaggleView):
    def post(self, request: Request) -> Response:
        challenge = _challenge(
            self.valid(shapes.CompetitionRequest).validated_data["competitionName"], request.user
        )
        return Response(
            shapes.limits_json(submission_limits(challenge=challenge, user=request.user, count_total=True))
        )


class ListSubmissions(KaggleView):
    def post(self, request: Request) -> Response:
        form = self.valid(shapes.CompetitionPagedRequest)
        challenge = _challenge(form.validated_data["competitionName"], request.user)
        submissions = submissions_of(challenge=challenge, user=request.user).select_related(
            "user", "participant__user"
        )
        offset, page_size = form.offset(), form.validated_data["pageSize"]
        return Response(
            {
                "submissions": [
                    shapes.submission_json(s, viewer=request.user)
                    for s in submissions[offset : offset + page_size]
                ],
                "nextPageToken": shapes.next_page_token(offset, page_size, submissions.count()),
            }
        )


class GetSubmission(KaggleView):
    def post(self, request: Request) -> Response:
        ref = self.valid(shapes.SubmissionRequest).validated_data["ref"]
        submission = submission_get_visible(submission_id=ref, user=request.user)
        return Response(shapes.submission_json(submission, viewer=request.user))


class GetLeaderboard(KaggleView):
    def post(self, request: Request) -> Response:
        data = self.valid(shapes.CompetitionPagedRequest).validated_data
        challenge = _challenge(data["competitionName"], request.user)
        board = leaderboard_page(
            challenge=challenge,
            split=_board_split(challenge, request.user),
            viewer=request.user,
            **shapes.paging_of(data),
            link=lambda window: str(window.offset),
        )
        return Response(
            {
                "submissions": [shapes.leaderboard_row_json(row) for row in board.rows],
                "nextPageToken": board.next or "",
            }
        )


class DownloadLeaderboard(KaggleView):
    """The whole board as `<slug>-<split>leaderboard.csv` in a zip, Kaggle's layout for it."""

    def post(self, request: Request) -> HttpResponse:
        challenge = _challenge(
            self.valid(shapes.CompetitionRequest).validated_data["competitionName"], request.user
        )
        split = _board_split(challenge, request.user)
        table = "".join(
            leaderboard_csv(
                challenge=challenge, split=split, viewer=request.user, columns=shapes.LEADERBOARD_CSV_COLUMNS
            )
        )
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr(f"{challenge.slug}-{split}leaderboard.csv", table)
        response = HttpResponse(archive.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{challenge.slug}.zip"'
        return response


class IntrospectToken(KaggleView):
    """How the CLI checks a KAGGLE_API_TOKEN before using it: anyone may ask, the answer names only its owner."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        user = user_of_key(self.valid(shapes.IntrospectTokenRequest).validated_data["token"])
        if user is None:
            return Response({"active": False})
        return Response({"active": True, "username": user.get_username(), "userId": user.pk})


# (service, method) -> view: everything the hub serves of the Kaggle API.
METHODS = {
    (COMPETITIONS, "ListCompetitions"): ListCompetitions,
    (COMPETITIONS, "ListDataFiles"): ListDataFiles,
    (COMPETITIONS, "DownloadDataFile"): DownloadDataFile,
    (COMPETITIONS, "DownloadDataFiles"): DownloadDataFiles,
    (COMPETITIONS, "StartSubmissionUpload"): StartSubmissionUpload,
    (COMPETITIONS, "CreateSubmission"): CreateSubmission,
    (COMPETITIONS, "GetSubmissionLimits"): GetSubmissionLimits,
    (COMPETITIONS, "ListSubmissions"): ListSubmissions,
    (COMPETITIONS, "GetSubmission"): GetSubmission,
    (COMPETITIONS, "GetLeaderboard"): GetLeaderboard,
    (COMPETITIONS, "DownloadLeaderboard"): DownloadLeaderboard,
    ("security.OAuthService", "IntrospectToken"): IntrospectToken,
}


@csrf_exempt
def unknown_method(request: HttpRequest, service: str, method: str) -> JsonResponse:
    served = sorted({name for _, name in METHODS})
    return JsonResponse(
        {
            "code": 404,
            "message": f"This hub does not serve {service}/{method}. It serves the competitions commands: "
            f"list, files, download, submit, submissions and leaderboard ({', '.join(served)}).",
        },
        status=404,
    )


@csrf_exempt
@require_http_methods(["PUT"])
@kaggle_refusals
def upload(request: HttpRequest, token: str) -> JsonResponse:
    """The PUT of a submission's raw bytes. The signed ticket in the URL is its credential (the CLI sends no
    other); credentials sent all the same must be those of the ticket's learner."""
    try:
        caller = KaggleKeyAuthentication().authenticate(Request(request))
    except AuthenticationFailed as error:
        return JsonResponse({"code": 400, "message": str(error.detail)}, status=400)
    kaggle_upload_store(
        ticket=kaggle_upload_ticket(token), body=request, caller=caller[0] if caller else None
    )
    return JsonResponse({})
