"""REST API of submissions, limits and leaderboards."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.selectors import challenge_get_published, challenge_private_visible

from .models import LeaderboardEntry, Submission
from .selectors import (
    leaderboard_count,
    leaderboard_row_of,
    leaderboard_rows,
    submission_get_visible,
    submission_limits,
    submission_private_score,
    submissions_of,
)
from .services import SubmissionNotAllowed, submission_create


class NotAllowed(APIException):
    def __init__(self, error: SubmissionNotAllowed):
        super().__init__(detail=error.message, code=error.code)
        self.status_code = error.status


class SubmissionSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    private_score = serializers.SerializerMethodField()
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
        return submission_private_score(submission)

    def get_url(self, submission: Submission) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api-submission-detail", args=[submission.pk])
        )


class SubmissionCreateSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="The prediction CSV (may be gzip- or zip-compressed)"
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ChallengeSubmissionsApi(APIView):
    """The signed-in learner's submissions to a challenge; POST uploads a new one."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=SubmissionSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_published(slug=slug)
        paginator = generics.GenericAPIView.pagination_class()
        page = paginator.paginate_queryset(
            submissions_of(challenge=challenge, user=request.user), request, view=self
        )
        serializer = SubmissionSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(serializer.data)

    @extend_schema(request=SubmissionCreateSerializer, responses={201: SubmissionSerializer})
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_published(slug=slug)
        serializer = SubmissionCreateSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        try:
            submission = submission_create(
                user=request.user,
                challenge=challenge,
                file=serializer.validated_data["file"],
                description=serializer.validated_data["description"],
            )
        except SubmissionNotAllowed as error:
            raise NotAllowed(error) from None
        return Response(
            SubmissionSerializer(submission, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SubmissionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SubmissionSerializer)
    def get(self, request: Request, submission_id: int) -> Response:
        submission = submission_get_visible(submission_id=submission_id, user=request.user)
        return Response(SubmissionSerializer(submission, context={"request": request}).data)


class LimitsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Limits",
            {
                "daily_limit": serializers.IntegerField(),
                "used_today": serializers.IntegerField(),
                "remaining_today": serializers.IntegerField(),
                "total_limit": serializers.IntegerField(allow_null=True),
                "used_total": serializers.IntegerField(),
                "resets_at": serializers.DateTimeField(),
            },
        )
    )
    def get(self, request: Request, slug: str) -> Response:
        limits = submission_limits(challenge=challenge_get_published(slug=slug), user=request.user)
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


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    participant = serializers.CharField()
    score = serializers.FloatField()
    submitted_at = serializers.DateTimeField()
    entries = serializers.IntegerField()
    is_baseline = serializers.BooleanField()


SPLIT_PARAMETER = OpenApiParameter("split", enum=["public", "private"], default="public")


def _split_of(request: Request, challenge) -> str:
    split = request.query_params.get("split", LeaderboardEntry.Split.PUBLIC)
    if split not in LeaderboardEntry.Split.values:
        raise ValidationError({"split": f"Use split=public or split=private, not '{split}'."})
    if split == LeaderboardEntry.Split.PRIVATE and not challenge_private_visible(challenge):
        raise NotAllowed(
            SubmissionNotAllowed(
                "The private leaderboard is hidden until the challenge ends or the host reveals it.",
                code="private_hidden",
            )
        )
    return split


class LeaderboardApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[SPLIT_PARAMETER, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=LeaderboardRowSerializer(many=True),
    )
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_published(slug=slug)
        split = _split_of(request, challenge)
        paginator = generics.GenericAPIView.pagination_class()
        page_size = paginator.get_page_size(request) or 50
        page = _positive_int(request.query_params.get("page", "1"), "page")
        total = leaderboard_count(challenge=challenge, split=split)
        rows = leaderboard_rows(
            challenge=challenge, split=split, offset=(page - 1) * page_size, limit=page_size
        )
        base = request.build_absolute_uri(request.path)
        last_page = max((total + page_size - 1) // page_size, 1)
        return Response(
            {
                "count": total,
                "next": f"{base}?split={split}&page={page + 1}&page_size={page_size}"
                if page < last_page
                else None,
                "previous": f"{base}?split={split}&page={page - 1}&page_size={page_size}"
                if page > 1
                else None,
                "split": split,
                "results": LeaderboardRowSerializer(rows, many=True).data,
            }
        )


# Far past any real board, and small enough that (page - 1) * page_size fits every database's integers.
MAX_PAGE = 1_000_000


def _positive_int(value: str, name: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise ValidationError(
            {name: f"{name} must be a whole number from 1 to {MAX_PAGE:,}, not '{value[:20]}'."}
        )
    return int(value)


class LeaderboardMeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[SPLIT_PARAMETER], responses=LeaderboardRowSerializer)
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_published(slug=slug)
        row = leaderboard_row_of(challenge=challenge, split=_split_of(request, challenge), user=request.user)
        if row is None:
            return Response(
                {"error": "You have no scored submission in this challenge yet.", "detail": None},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(LeaderboardRowSerializer(row).data)
