"""REST API of submissions, limits and leaderboards."""

from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.pagination import MAX_PAGE, MAX_PAGE_SIZE, PageNumberPagination
from hub.query_fields import QueryChoiceField, QueryIntegerField
from hub.schema import ErrorSerializer, error_responses
from hub.uploads import upload_declared_length_check, upload_limit_install
from projects.selectors import challenge_get_visible

from .insight.selectors import submission_insight, submission_standing
from .insight.serializers import InsightSerializer, StandingSerializer
from .leaderboard import (
    leaderboard_csv,
    leaderboard_page,
    leaderboard_row_of,
    leaderboard_split_check,
    score_history,
    top_score_history,
    visible_scores,
)
from .models import LeaderboardEntry, Submission
from .selectors import (
    submission_get_visible,
    submission_limits,
    submissions_of,
)
from .services.final_selection import submission_set_final
from .services.submit import submission_check_allowed, submission_create


class SubmissionSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    private_score = serializers.SerializerMethodField()
    extra_scores = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "challenge",
            "status",
            "public_score",
            "private_score",
            "extra_scores",
            "error",
            "original_name",
            "size",
            "sha256",
            "description",
            "is_final",
            "is_baseline",
            "created_at",
            "started_at",
            "finished_at",
            "url",
        ]

    def get_private_score(self, submission: Submission) -> float | None:
        return visible_scores(submission, self.context["request"].user).private

    def get_extra_scores(self, submission: Submission) -> dict:
        return visible_scores(submission, self.context["request"].user).extra

    def get_url(self, submission: Submission) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api-submission-detail", args=[submission.pk])
        )


class SubmissionDetailSerializer(SubmissionSerializer):
    insight = serializers.SerializerMethodField()
    standing = serializers.SerializerMethodField()

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "insight", "standing"]

    @extend_schema_field(InsightSerializer(allow_null=True))
    def get_insight(self, submission: Submission) -> dict | None:
        return submission_insight(submission)

    @extend_schema_field(StandingSerializer(allow_null=True))
    def get_standing(self, submission: Submission) -> dict | None:
        standing = submission_standing(submission)
        return None if standing is None else StandingSerializer(standing).data


class SubmissionCreateSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="The prediction CSV (may be gzip- or zip-compressed)"
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@extend_schema_view(
    get=extend_schema(responses={200: SubmissionSerializer, **error_responses(404)}),
    post=extend_schema(
        request={"multipart/form-data": SubmissionCreateSerializer},
        responses={201: SubmissionSerializer, **error_responses(400, 403, 404, 413)},
        description="Upload a prediction file. It is checked before a byte of it is read (you may submit now? "
        "is the declared size within the challenge's `max_upload_bytes`?) and counted as it streams in. "
        "429 when a daily or total submission limit is reached: see GET .../limits/.",
    ),
)
class ChallengeSubmissionsApi(generics.ListAPIView):
    """The signed-in learner's submissions to a challenge, newest first; POST uploads a new one."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = SubmissionSerializer

    def get_queryset(self):
        return submissions_of(
            challenge=challenge_get_visible(slug=self.kwargs["slug"], viewer=self.request.user),
            user=self.request.user,
        )

    def initial(self, request: Request, *args, **kwargs) -> None:
        if request.method == "POST":
            # Before request.user: authenticating a session checks CSRF, which parses the body; it is then refused
            # at the limit of a challenge anyone may see, else the hub's (a private one's own would tell an
            # outsider it exists). With a token, nothing is parsed until the challenge's own limit is set below.
            upload_limit_install(request._request, max_bytes=None)
            self.challenge = challenge_get_visible(slug=kwargs["slug"], viewer=request.user)
            upload_limit_install(request._request, max_bytes=self.challenge.max_upload_bytes)
        super().initial(request, *args, **kwargs)

    def post(self, request: Request, slug: str) -> Response:
        challenge = self.challenge
        # Refuse early (ended, limit reached, declared size too large) before the client sends the whole file.
        # submission_create asks the same rule again under the participant's lock, the answer that holds; holding
        # that lock while a body streams in instead would stall the learner's scoring behind a slow upload.
        submission_check_allowed(challenge=challenge, user=request.user)
        upload_declared_length_check(request._request)
        serializer = SubmissionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = submission_create(user=request.user, challenge=challenge, **serializer.validated_data)
        return Response(
            SubmissionSerializer(submission, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SubmissionDetailApi(APIView):
    """One of your submissions: poll it until `status` is scored or failed (`error` then says what to fix).

    Once scored, `insight` describes where the predictions go wrong on the Public rows (unless the host turned it
    off) and `standing` sets the score beside the baseline's, your best and your rank."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: SubmissionDetailSerializer, **error_responses(404)})
    def get(self, request: Request, submission_id: int) -> Response:
        submission = submission_get_visible(submission_id=submission_id, user=request.user)
        return Response(SubmissionDetailSerializer(submission, context={"request": request}).data)


class LimitsApi(APIView):
    """How many submissions you may still make today (daily limits reset at 00:00 UTC; failed ones do not count)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Limits",
                {
                    "daily_limit": serializers.IntegerField(),
                    "used_today": serializers.IntegerField(),
                    "remaining_today": serializers.IntegerField(),
                    "total_limit": serializers.IntegerField(allow_null=True),
                    "used_total": serializers.IntegerField(),
                    "resets_at": serializers.DateTimeField(),
                },
            ),
            **error_responses(404),
        }
    )
    def get(self, request: Request, slug: str) -> Response:
        limits = submission_limits(
            challenge=challenge_get_visible(slug=slug, viewer=request.user), user=request.user
        )
        return Response(
            {
                "daily_limit": limits.daily_limit,
                "used_today": limits.used_today,
                "remaining_today": limits.remaining_today,
                "total_limit": limits.total_limit,
                "used_total": limits.used_total,
                "resets_at": limits.resets_at,
            }
        )


class LeaderboardTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    participant = serializers.CharField(help_text="The team's name; a learner on their own: their username")
    team = LeaderboardTeamSerializer(
        help_text="The team the row ranks (a team page: /challenges/<slug>/teams/<id>/)"
    )
    members = serializers.ListField(child=serializers.CharField(), help_text="Its members' usernames")
    score = serializers.FloatField()
    submitted_at = serializers.DateTimeField()
    entries = serializers.IntegerField()
    is_baseline = serializers.BooleanField()


class LeaderboardPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Rows on the board, baselines included")
    learners = serializers.IntegerField(help_text="Learners on the board: the rows that take a rank")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    split = serializers.ChoiceField(choices=LeaderboardEntry.Split.values)
    results = LeaderboardRowSerializer(many=True)


class LeaderboardQuerySerializer(serializers.Serializer):
    split = QueryChoiceField(
        choices=LeaderboardEntry.Split.values,
        default=LeaderboardEntry.Split.PUBLIC,
        error_messages={"invalid_choice": "Use split=public or split=private, not '{input}'."},
    )


LEADERBOARD_PAGE_SIZE = PageNumberPagination.page_size or 50


class LeaderboardPageQuerySerializer(LeaderboardQuerySerializer):
    page = QueryIntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    page_size = QueryIntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=LEADERBOARD_PAGE_SIZE,
        help_text="Rows a page (the top N with page=1)",
    )


def _query(request: Request, query_serializer=LeaderboardQuerySerializer) -> dict:
    """The validated query; a hidden private board is refused by the leaderboard's reads (PrivateBoardHidden,
    a 403 from the API's error handler)."""
    query = query_serializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class LeaderboardApi(APIView):
    """The leaderboard in rank order, one page at a time; baseline rows carry no rank."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[LeaderboardPageQuerySerializer],
        responses={200: LeaderboardPageSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        query = _query(request, LeaderboardPageQuerySerializer)
        split = query["split"]
        base = request.build_absolute_uri(request.path)
        board = leaderboard_page(
            challenge=challenge,
            split=split,
            viewer=request.user,
            page=query["page"],
            page_size=query["page_size"],
            default_size=LEADERBOARD_PAGE_SIZE,
            link=lambda window: f"{base}?split={split}&page={window.number}&page_size={window.size}",
        )
        return Response(
            {
                "count": board.count,
                "learners": board.learners,
                "next": board.next,
                "previous": board.previous,
                "split": split,
                "results": LeaderboardRowSerializer(board.rows, many=True).data,
            }
        )


class LeaderboardMeApi(APIView):
    """Your own row and rank, however far down the board; 404 until you have a scored submission."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[LeaderboardQuerySerializer],
        responses={200: LeaderboardRowSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        split = _query(request)["split"]
        row = leaderboard_row_of(challenge=challenge, split=split, user=request.user)
        if row is None:
            raise NotFound(
                f"You have no scored submission on the {split} leaderboard of this challenge yet.",
                code="no_entry",
            )
        return Response(LeaderboardRowSerializer(row).data)


# --- Leaderboard additions (issue 5): final selection, CSV download, score history for the charts ---


FINAL_RESPONSES = {
    200: SubmissionSerializer,
    **error_responses(403, 404),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Not possible now: not scored yet, disqualified, two already chosen, or the challenge ended.",
    ),
}


class SubmissionFinalApi(APIView):
    """POST marks one of your submissions as final for the private leaderboard; DELETE unmarks it."""

    permission_classes = [IsAuthenticated]

    def _set(self, request: Request, submission_id: int, is_final: bool) -> Response:
        submission = submission_get_visible(submission_id=submission_id, user=request.user)
        submission = submission_set_final(submission=submission, user=request.user, is_final=is_final)
        return Response(SubmissionSerializer(submission, context={"request": request}).data)

    @extend_schema(request=None, responses=FINAL_RESPONSES)
    def post(self, request: Request, submission_id: int) -> Response:
        return self._set(request, submission_id, True)

    @extend_schema(request=None, responses=FINAL_RESPONSES)
    def delete(self, request: Request, submission_id: int) -> Response:
        return self._set(request, submission_id, False)


class LeaderboardCsvApi(APIView):
    """The whole board as CSV; text cells that a spreadsheet would run as formulas get a leading apostrophe."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[LeaderboardQuerySerializer],
        responses={(200, "text/csv"): str, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> StreamingHttpResponse:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        split = _query(request)["split"]
        response = StreamingHttpResponse(
            leaderboard_csv(challenge=challenge, split=split, viewer=request.user),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{challenge.slug}-{split}-leaderboard.csv"'
        return response


class LeaderboardHistoryApi(APIView):
    """Points for the charts: the top score over time and, when signed in, your own scores over time."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[LeaderboardQuerySerializer],
        responses={
            200: inline_serializer(
                "LeaderboardHistory",
                {
                    "split": serializers.CharField(),
                    "top": inline_serializer(
                        "TopScorePoint",
                        {
                            "at": serializers.DateTimeField(),
                            "score": serializers.FloatField(allow_null=True),
                            "participant": serializers.CharField(allow_null=True),
                            "submitted_at": serializers.DateTimeField(allow_null=True),
                        },
                        many=True,
                    ),
                    "mine": inline_serializer(
                        "MyScorePoint",
                        {
                            "submission_id": serializers.IntegerField(),
                            "submitted_at": serializers.DateTimeField(),
                            "score": serializers.FloatField(),
                            "best": serializers.FloatField(),
                            "is_final": serializers.BooleanField(),
                        },
                        many=True,
                    ),
                },
            ),
            **error_responses(400, 403, 404),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        split = _query(request)["split"]
        leaderboard_split_check(challenge=challenge, split=split, viewer=request.user)
        return Response(
            {
                "split": split,
                "top": top_score_history(challenge=challenge, split=split),
                "mine": score_history(challenge=challenge, user=request.user, split=split),
            }
        )
