"""REST API of challenges and their files."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from workers.scoring import METRICS

from .models import Challenge, DataFile, Level
from .selectors import (
    challenge_data_files,
    challenge_get_published,
    challenge_private_visible,
    challenge_status,
    challenges_published,
)

CHALLENGE_STATUSES = ("upcoming", "open", "ended")


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
        return METRICS[challenge.metric].higher_is_better

    def get_private_leaderboard_visible(self, challenge: Challenge) -> bool:
        return challenge_private_visible(challenge)

    def get_url(self, challenge: Challenge) -> str:
        return self.context["request"].build_absolute_uri(reverse("challenge-detail", args=[challenge.slug]))


class ChallengeDetailSerializer(ChallengeSerializer):
    class Meta(ChallengeSerializer.Meta):
        fields = [*ChallengeSerializer.Meta.fields, "description", "evaluation", "starter_kit"]


@extend_schema(
    parameters=[
        OpenApiParameter("level", enum=[level.value for level in Level]),
        OpenApiParameter("status", enum=list(CHALLENGE_STATUSES)),
    ]
)
class ChallengeListApi(generics.ListAPIView):
    serializer_class = ChallengeSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        level = self.request.query_params.get("level") or None
        status = self.request.query_params.get("status") or None
        if level is not None and level not in Level.values:
            raise ValidationError({"level": f"Use level={', '.join(Level.values)}, not '{level[:40]}'."})
        if status is not None and status not in CHALLENGE_STATUSES:
            raise ValidationError(
                {"status": f"Use status={', '.join(CHALLENGE_STATUSES)}, not '{status[:40]}'."}
            )
        return challenges_published(level=level, status=status)


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


class DataFileListApi(generics.ListAPIView):
    serializer_class = DataFileSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return challenge_data_files(challenge_get_published(slug=self.kwargs["slug"]))
