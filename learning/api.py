"""REST API: the learning paths, and the signed-in learner's milestones and progress on them."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Milestone, Track
from .selectors import Progress, progress_of, tracks_published


class StepSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    challenge = serializers.CharField(source="challenge.slug")
    title = serializers.CharField(source="challenge.title")
    level = serializers.CharField(source="challenge.level")


class TrackSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    steps = StepSerializer(many=True, source="steps.all")


class MilestoneSerializer(serializers.Serializer):
    challenge = serializers.CharField(source="challenge.slug")
    kind = serializers.ChoiceField(choices=Milestone.Kind.choices)
    name = serializers.CharField(source="get_kind_display")
    submission = serializers.IntegerField(source="submission_id", allow_null=True)
    awarded_at = serializers.DateTimeField()


class StepProgressSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="step.position")
    challenge = serializers.CharField(source="challenge.slug")
    title = serializers.CharField(source="challenge.title")
    milestones = serializers.ListField(child=serializers.CharField(), source="kinds")
    done = serializers.BooleanField(
        help_text="Beat the baseline there (or scored, where there is no baseline)"
    )


class TrackProgressSerializer(serializers.Serializer):
    slug = serializers.CharField(source="track.slug")
    title = serializers.CharField(source="track.title")
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    steps = StepProgressSerializer(many=True)


class NextChallengeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    milestones = MilestoneSerializer(many=True)
    tracks = TrackProgressSerializer(many=True)
    next_challenge = NextChallengeSerializer(allow_null=True)


class TrackListApi(APIView):
    """The learning paths: ordered challenges, in the order a learner should take them."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: TrackSerializer(many=True)})
    def get(self, request: Request) -> Response:
        tracks: list[Track] = list(tracks_published(viewer=request.user))
        return Response(TrackSerializer(tracks, many=True).data)


class MyProgressApi(APIView):
    """Your milestones (first valid submission, beat the baseline, top half, top 10 %, picked a final), your
    progress on every track, and the challenge to take next."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ProgressSerializer})
    def get(self, request: Request) -> Response:
        progress: Progress = progress_of(user=request.user)
        following = progress.next_challenge
        data = ProgressSerializer(
            {
                "milestones": progress.milestones,
                "tracks": progress.tracks,
                "next_challenge": None
                if following is None
                else {
                    "slug": following.slug,
                    "title": following.title,
                    "url": request.build_absolute_uri(reverse("challenge-detail", args=[following.slug])),
                },
            }
        ).data
        return Response(data)
