"""REST API of challenges and their files."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from hub.query_fields import QueryChoiceField
from hub.schema import error_responses
from submissions.leaderboard import higher_is_better, leaderboard_split_visible
from submissions.models import LeaderboardEntry
from workers.scoring import METRICS

from .models import Challenge, DataFile, Level
from .selectors import (
    challenge_data_files,
    challenge_get_published,
    challenge_status,
    challenges_published,
)


class ChallengeSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    metric_name = serializers.SerializerMethodField()
    higher_is_better = serializers.SerializerMethodField()
    private_leaderboard_visible = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "slug",
            "title",
            "level",
            "summary",
            "status",
            "metric",
            "metric_name",
            "higher_is_better",
            "extra_metrics",
            "id_column",
            "target_column",
            "allowed_labels",
            "start_at",
            "end_at",
            "daily_limit",
            "total_limit",
            "max_upload_bytes",
            "private_leaderboard_visible",
            "url",
        ]

    def get_status(self, challenge: Challenge) -> str:
        return challenge_status(challenge)

    def get_metric_name(self, challenge: Challenge) -> str:
        return METRICS[challenge.metric].name

    def get_higher_is_better(self, challenge: Challenge) -> bool:
        return higher_is_better(challenge)

    def get_private_leaderboard_visible(self, challenge: Challenge) -> bool:
        request = self.context.get("request")
        viewer = request.user if request else None
        return leaderboard_split_visible(challenge, LeaderboardEntry.Split.PRIVATE, viewer)

    def get_url(self, challenge: Challenge) -> str:
        return self.context["request"].build_absolute_uri(reverse("challenge-detail", args=[challenge.slug]))


class ChallengeDetailSerializer(ChallengeSerializer):
    class Meta(ChallengeSerializer.Meta):
        fields = [*ChallengeSerializer.Meta.fields, "description", "evaluation", "starter_kit"]


STATUSES = ["upcoming", "open", "ended"]


class ChallengeFilterSerializer(serializers.Serializer):
    level = QueryChoiceField(
        choices=Level.values,
        required=False,
        error_messages={
            "invalid_choice": f"'{{input}}' is not a level: use one of {', '.join(Level.values)}."
        },
    )
    status = QueryChoiceField(
        choices=STATUSES,
        required=False,
        error_messages={"invalid_choice": f"'{{input}}' is not a status: use one of {', '.join(STATUSES)}."},
    )


@extend_schema(
    parameters=[ChallengeFilterSerializer], responses={200: ChallengeSerializer, **error_responses(400, 404)}
)
class ChallengeListApi(generics.ListAPIView):
    """Published challenges, oldest first; filter with `level` and `status`."""

    serializer_class = ChallengeSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        filters = ChallengeFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return challenges_published(**filters.validated_data)


@extend_schema(responses={200: ChallengeDetailSerializer, **error_responses(404)})
class ChallengeDetailApi(generics.RetrieveAPIView):
    serializer_class = ChallengeDetailSerializer
    permission_classes = [AllowAny]

    def get_object(self) -> Challenge:
        return challenge_get_published(slug=self.kwargs["slug"])


class DataFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DataFile
        fields = ["name", "kind", "description", "size", "sha256", "download_url"]

    def get_download_url(self, data_file: DataFile) -> str:
        url = reverse("data-file-download", args=[self.context["view"].kwargs["slug"], data_file.name])
        return self.context["request"].build_absolute_uri(url)


@extend_schema(responses={200: DataFileSerializer, **error_responses(404)})
class DataFileListApi(generics.ListAPIView):
    """The challenge's public files; each `download_url` streams the file and supports Range (resume), ETag and
    Last-Modified. `sha256` is the checksum to verify a download against."""

    serializer_class = DataFileSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return challenge_data_files(challenge_get_published(slug=self.kwargs["slug"]))
