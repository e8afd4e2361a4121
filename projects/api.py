"""REST API of challenges and their files."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.parsers import JSONParser
from hub.query_fields import QueryChoiceField
from hub.schema import error_responses
from hub.uploads import upload_declared_length_check, upload_limit_install
from submissions.leaderboard import higher_is_better, leaderboard_split_visible
from submissions.models import LeaderboardEntry
from workers.scoring import METRICS

from .admissions import challenge_join
from .hosting import (
    EDITABLE_FIELDS,
    challenge_allowed_emails_set,
    challenge_create_from_labelled,
    challenge_create_from_upload,
    challenge_host_add,
    challenge_invite_rotate,
    challenge_limit_overrides_set,
    challenge_publish,
    challenge_update,
)
from .labelled import LabelledSpec, usable_metrics
from .models import Challenge, DataFile, Level
from .selectors import (
    HostOnly,
    challenge_data_files,
    challenge_get_hosted,
    challenge_get_visible,
    challenge_is_host,
    challenge_status,
    challenges_listed,
    user_is_host,
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
        return challenges_listed(viewer=self.request.user, **filters.validated_data)


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
        return challenge_data_files(challenge_get_visible(slug=self.kwargs["slug"], viewer=self.request.user))


# --- Hosts (issue 16): create from a bundle, edit, publish, invite, join ---


class ChallengeHostSerializer(ChallengeDetailSerializer):
    """What a challenge's hosts see besides the public fields: its state, who may enter and how."""

    hosts = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    allowed_emails = serializers.SerializerMethodField()
    join_url = serializers.SerializerMethodField()

    class Meta(ChallengeDetailSerializer.Meta):
        fields = [
            *ChallengeDetailSerializer.Meta.fields,
            "is_published",
            "visibility",
            "invite_code",
            "join_url",
            "allowed_emails",
            "hosts",
        ]

    def get_allowed_emails(self, challenge: Challenge) -> list[str]:
        return list(challenge.allowed_emails.values_list("address", flat=True))

    def get_join_url(self, challenge: Challenge) -> str | None:
        if not challenge.invite_code:
            return None
        url = reverse("challenge-join", args=[challenge.slug, challenge.invite_code])
        return self.context["request"].build_absolute_uri(url)


def challenge_json(challenge: Challenge, request: Request) -> dict:
    """The detail, with the hosts' fields for its hosts only."""
    serializer = (
        ChallengeHostSerializer if challenge_is_host(challenge, request.user) else ChallengeDetailSerializer
    )
    return serializer(challenge, context={"request": request}).data


class BundleUploadSerializer(serializers.Serializer):
    bundle = serializers.FileField(help_text="A zip of a challenge bundle (docs/challenge-bundles.md)")


class ChallengeUpdateSerializer(serializers.ModelSerializer):
    allowed_emails = serializers.ListField(
        child=serializers.CharField(max_length=254),
        required=False,
        max_length=10_000,
        help_text='Addresses and domains admitted to a private challenge without the code: ["ada@x.org", "@x.org"]',
    )

    class Meta:
        model = Challenge
        fields = [*EDITABLE_FIELDS, "allowed_emails"]
        extra_kwargs = {name: {"required": False} for name in EDITABLE_FIELDS}

    def validate(self, data: dict) -> dict:
        start = data.get("start_at", self.instance.start_at)
        end = data.get("end_at", self.instance.end_at)
        if end is not None and end <= start:
            raise serializers.ValidationError({"end_at": "The end must be after the start."})
        if data.get("daily_limit") == 0:
            raise serializers.ValidationError({"daily_limit": "Allow at least 1 submission a day."})
        return data


CREATE_DESCRIPTION = (
    "Hosts only: upload a bundle zip (the format of `import_challenge`, docs/challenge-bundles.md) as the "
    "multipart field `bundle`. The solution is checked by the scoring engine; a bad bundle is a 400 naming what "
    "to fix, and nothing is kept. The challenge starts as a draft that only its hosts see: publish it with "
    "POST .../publish/."
)


@extend_schema_view(
    post=extend_schema(
        request={"multipart/form-data": BundleUploadSerializer},
        responses={201: ChallengeHostSerializer, **error_responses(400, 403, 413)},
        description=CREATE_DESCRIPTION,
    )
)
class ChallengeListCreateApi(ChallengeListApi):
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    def initial(self, request: Request, *args, **kwargs) -> None:
        if request.method == "POST":
            upload_limit_install(request._request, max_bytes=settings.HUB_MAX_BUNDLE_UPLOAD_BYTES)
        super().initial(request, *args, **kwargs)

    def post(self, request: Request) -> Response:
        if not user_is_host(request.user):
            raise HostOnly(
                "Only hosts may create challenges. Ask the hub's admin to make you one "
                "(python manage.py grant_host USERNAME)."
            )
        upload_declared_length_check(request._request)
        form = BundleUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        challenge = challenge_create_from_upload(host=request.user, upload=form.validated_data["bundle"])
        return Response(challenge_json(challenge, request), status=status.HTTP_201_CREATED)


class ChallengeDetailUpdateApi(APIView):
    """A challenge; its hosts also see `is_published`, `visibility`, `invite_code`, `join_url`, `hosts` and
    `allowed_emails`, and may PATCH its texts, dates, limits, visibility and allowed e-mails."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses={200: ChallengeDetailSerializer, **error_responses(404)})
    def get(self, request: Request, slug: str) -> Response:
        return Response(challenge_json(challenge_get_visible(slug=slug, viewer=request.user), request))

    @extend_schema(
        request=ChallengeUpdateSerializer,
        responses={200: ChallengeHostSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_hosted(slug=slug, user=request.user)
        form = ChallengeUpdateSerializer(challenge, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        addresses = values.pop("allowed_emails", None)
        with transaction.atomic():
            challenge_update(challenge=challenge, **values)
            if addresses is not None:
                challenge_allowed_emails_set(challenge=challenge, addresses=addresses)
        return Response(challenge_json(challenge, request))


class ChallengePublishApi(APIView):
    """Hosts only: the draft becomes visible to whom its visibility admits."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ChallengeHostSerializer, **error_responses(403, 404)})
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_publish(challenge=challenge_get_hosted(slug=slug, user=request.user))
        return Response(challenge_json(challenge, request))


class ChallengeInviteCodeApi(APIView):
    """Hosts only: a new invite code; the old code and link stop admitting anyone, admitted learners stay."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ChallengeHostSerializer, **error_responses(403, 404)})
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_hosted(slug=slug, user=request.user)
        challenge_invite_rotate(challenge=challenge)
        return Response(challenge_json(challenge, request))


class CoHostSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class ChallengeHostsApi(APIView):
    """Hosts only: add a co-host by username (any active user, e.g. a teaching assistant)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=CoHostSerializer, responses={200: ChallengeHostSerializer, **error_responses(400, 403, 404)}
    )
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_hosted(slug=slug, user=request.user)
        form = CoHostSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        challenge_host_add(challenge=challenge, username=form.validated_data["username"])
        return Response(challenge_json(challenge, request))


class JoinSerializer(serializers.Serializer):
    invite_code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ChallengeJoinApi(APIView):
    """Join a private challenge with its invite code (or without one, when your verified e-mail is on its list).
    A wrong code is a 404, as for a challenge that does not exist. Joining twice keeps the first date."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=JoinSerializer,
        responses={
            200: inline_serializer(
                "Admission",
                {
                    "challenge": serializers.CharField(),
                    "admitted": serializers.BooleanField(),
                    "joined_at": serializers.DateTimeField(allow_null=True),
                    "via": serializers.CharField(allow_null=True),
                },
            ),
            **error_responses(400, 404),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        admission = challenge_join(
            user=request.user, slug=slug, invite_code=form.validated_data["invite_code"]
        )
        return Response(
            {
                "challenge": slug,
                "admitted": True,
                "joined_at": admission.joined_at if admission else None,
                "via": admission.via if admission else None,
            }
        )


class LabelledDataSerializer(serializers.Serializer):
    data = serializers.FileField(
        help_text="The labelled CSV, or a zip of it and the images its id column names"
    )
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100)
    id_column = serializers.CharField(max_length=100)
    target_column = serializers.CharField(max_length=100)
    metric = serializers.ChoiceField(choices=usable_metrics(), default="accuracy")
    test_share = serializers.FloatField(min_value=0.05, max_value=0.5, default=0.2)
    seed = serializers.IntegerField(min_value=0, max_value=2**31, default=42)


class ChallengeFromLabelledDataApi(APIView):
    """Hosts only: a private draft from labelled data. The hub holds out a stratified, seeded test set, writes
    train.csv, test.csv (no labels), a sample submission and the hidden solution (half public, half private), and
    scores a baseline (the most common class, or the mean). A 400 names what to change; nothing is kept."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request: Request, *args, **kwargs) -> None:
        if request.method == "POST":
            upload_limit_install(request._request, max_bytes=settings.HUB_MAX_BUNDLE_UPLOAD_BYTES)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": LabelledDataSerializer},
        responses={201: ChallengeHostSerializer, **error_responses(400, 403, 413)},
    )
    def post(self, request: Request) -> Response:
        if not user_is_host(request.user):
            raise HostOnly("Only hosts may create challenges. Ask the hub's admin to make you one.")
        upload_declared_length_check(request._request)
        form = LabelledDataSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = dict(form.validated_data)
        upload = values.pop("data")
        challenge = challenge_create_from_labelled(
            host=request.user, upload=upload, spec=LabelledSpec(**values)
        )
        return Response(challenge_json(challenge, request), status=status.HTTP_201_CREATED)


class LimitOverrideSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150,
        required=False,
        allow_null=True,
        default=None,
        help_text="The learner these limits are for; null when `team` names a team",
    )
    team = serializers.CharField(
        max_length=100,
        required=False,
        allow_null=True,
        default=None,
        help_text="The team (its name in this challenge, any case) these limits are for; null for a learner. "
        "Every member's submissions count against a team's limits. Where a learner has their own override "
        "and their team has one too, the learner's own fields win.",
    )
    daily_limit = serializers.IntegerField(
        min_value=1, max_value=100_000, required=False, allow_null=True, default=None
    )
    total_limit = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, allow_null=True, default=None
    )
    end_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="This learner's or team's own deadline (a late submission)",
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("username")) == bool(attrs.get("team")):
            raise serializers.ValidationError(
                "Give either username (a learner) or team (a team's name), not both."
            )
        return attrs


class LimitOverridesPutSerializer(serializers.Serializer):
    overrides = LimitOverrideSerializer(many=True, max_length=10_000)


def _overrides_json(challenge: Challenge) -> dict:
    rows = challenge.limit_overrides.select_related("user", "participant").order_by(
        "participant__name", "user__username"
    )
    return {
        "overrides": [
            {
                "username": row.user.username if row.user else None,
                "team": row.participant.name if row.participant else None,
                "daily_limit": row.daily_limit,
                "total_limit": row.total_limit,
                "end_at": row.end_at,
                "note": row.note,
            }
            for row in rows
        ]
    }


class LimitOverridesApi(APIView):
    """Hosts only: per-learner and per-team limits and deadlines ("Ada may submit 20 a day", "team X may submit
    until Friday"). PUT replaces the whole list; a learner or team left out gets the challenge's limits again.
    Empty fields keep the challenge's. The one submission rule (limits, deadline) reads them for every page, API
    and client."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(responses={200: LimitOverridesPutSerializer, **error_responses(403, 404)})
    def get(self, request: Request, slug: str) -> Response:
        return Response(_overrides_json(challenge_get_hosted(slug=slug, user=request.user)))

    @extend_schema(
        request=LimitOverridesPutSerializer,
        responses={200: LimitOverridesPutSerializer, **error_responses(400, 403, 404)},
    )
    def put(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_hosted(slug=slug, user=request.user)
        form = LimitOverridesPutSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        challenge_limit_overrides_set(challenge=challenge, overrides=form.validated_data["overrides"])
        return Response(_overrides_json(challenge))
