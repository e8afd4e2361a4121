"""REST API of published datasets: list, search, detail with versions, files, the zip of a version, publishing."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db.models import Max, Sum
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.query_fields import QueryCharField, QueryChoiceField
from hub.schema import error_responses

from .dataset_downloads import dataset_upload_complete, dataset_upload_limit_install, dataset_zip_response
from .dataset_selectors import (
    SORTS,
    dataset_get_visible,
    dataset_version_get,
    dataset_versions,
    datasets_visible,
)
from .dataset_services import dataset_create, dataset_update, dataset_version_create
from .models import Dataset, DatasetFile, DatasetVersion, Licence

# One or more characters: a blank value never reaches validators (allow_blank), and drf-spectacular adds the blank
# as a second `oneOf` branch of the schema; a pattern that also matched "" would make a blank match both branches,
# which `oneOf` forbids (schemathesis then expects a 400 for `?owner=`).
NO_NUL = RegexValidator(r"^[^\x00]+$", "Remove the NUL character.")


def dataset_ref(dataset: Dataset) -> str:
    return f"{dataset.owner.username}/{dataset.slug}"


class DatasetFileSerializer(serializers.ModelSerializer):
    size = serializers.IntegerField(source="blob.size")
    sha256 = serializers.CharField(source="blob.sha256")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DatasetFile
        fields = ["name", "kind", "size", "sha256", "download_url"]

    def get_download_url(self, listed: DatasetFile) -> str:
        version = self.context["version"]
        dataset = version.dataset
        url = reverse(
            "dataset-file-download", args=[dataset.owner.username, dataset.slug, version.number, listed.name]
        )
        return self.context["request"].build_absolute_uri(url)


class DatasetVersionSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField()
    zip_ready = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DatasetVersion
        fields = [
            "number",
            "note",
            "created_at",
            "files",
            "zip_ready",
            "zip_size",
            "zip_sha256",
            "download_count",
            "download_url",
        ]

    @extend_schema_field(DatasetFileSerializer(many=True))
    def get_files(self, version: DatasetVersion) -> list[dict]:
        context = {**self.context, "version": version}
        return DatasetFileSerializer(version.files.all(), many=True, context=context).data

    def get_zip_ready(self, version: DatasetVersion) -> bool:
        """zip_size and zip_sha256 are null until the zip is built (at once for small versions)."""
        return version.zip_state == DatasetVersion.ZipState.READY

    def get_download_url(self, version: DatasetVersion) -> str:
        dataset = version.dataset
        url = reverse("api-dataset-download", args=[dataset.owner.username, dataset.slug])
        return self.context["request"].build_absolute_uri(f"{url}?version={version.number}")


class DatasetSerializer(serializers.ModelSerializer):
    ref = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username")
    licence = serializers.CharField(source="licence_id")
    licence_name = serializers.CharField()
    licence_text = serializers.CharField(source="licence")
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    downloads = serializers.IntegerField(read_only=True, default=0)
    latest_version = serializers.IntegerField(source="latest_number", read_only=True, default=None)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = [
            "ref",
            "owner",
            "slug",
            "title",
            "subtitle",
            "licence",
            "licence_name",
            "licence_text",
            "source",
            "tags",
            "visibility",
            "is_synthetic",
            "downloads",
            "latest_version",
            "created_at",
            "updated_at",
            "url",
        ]

    def get_ref(self, dataset: Dataset) -> str:
        return dataset_ref(dataset)

    def get_url(self, dataset: Dataset) -> str:
        url = reverse("dataset-detail", args=[dataset.owner.username, dataset.slug])
        return self.context["request"].build_absolute_uri(url)


class DatasetDetailSerializer(DatasetSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(DatasetSerializer.Meta):
        fields = [*DatasetSerializer.Meta.fields, "description", "versions"]

    @extend_schema_field(DatasetVersionSerializer(many=True))
    def get_versions(self, dataset: Dataset) -> list[dict]:
        versions = list(dataset_versions(dataset))
        for version in versions:
            version.dataset = dataset
        return DatasetVersionSerializer(versions, many=True, context=self.context).data


class DatasetFilterSerializer(serializers.Serializer):
    # No NUL (DRF refuses it in any text field): the pattern puts that in the schema.
    # Blank (or only spaces) is no filter, as a search box left empty means.
    q = QueryCharField(
        required=False,
        allow_blank=True,
        max_length=200,
        validators=[NO_NUL],
        help_text="Words in the title, subtitle or slug",
    )
    tag = QueryCharField(required=False, allow_blank=True, max_length=50, validators=[NO_NUL])
    owner = QueryCharField(
        required=False, allow_blank=True, max_length=150, validators=[NO_NUL], help_text="The owner's username"
    )
    sort = QueryChoiceField(
        choices=list(SORTS),
        required=False,
        default="recent",
        error_messages={"invalid_choice": "'{input}' is not a sort order: use recent or downloads."},
    )


def _names(value: str | list[str]) -> list[str]:
    """Tags and file names to remove, sent repeated or comma-separated."""
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


class DatasetCreateSerializer(serializers.Serializer):
    slug = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=200)
    licence = serializers.ChoiceField(
        choices=Licence.values,
        error_messages={
            "invalid_choice": f"'{{input}}' is not a licence: use one of {', '.join(Licence.values)}."
        },
    )
    licence_text = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    subtitle = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    description = serializers.CharField(required=False, allow_blank=True, max_length=100_000, default="")
    source = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True), required=False, default=list
    )
    visibility = serializers.ChoiceField(choices=Dataset.Visibility.choices, default=Dataset.Visibility.PUBLIC)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        error_messages={"empty": "Send at least one file in the field 'files'."},
    )


class DatasetUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=200)
    subtitle = serializers.CharField(required=False, allow_blank=True, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    source = serializers.CharField(required=False, allow_blank=True, max_length=500)
    licence = serializers.ChoiceField(choices=Licence.values, required=False)
    licence_text = serializers.CharField(required=False, allow_blank=True, max_length=300)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True), required=False
    )
    visibility = serializers.ChoiceField(choices=Dataset.Visibility.choices, required=False)


class DatasetVersionCreateSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, default=list
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    remove = serializers.ListField(
        child=serializers.CharField(max_length=255, allow_blank=True), required=False, default=list
    )


class _UploadView:
    """POSTs stream files under the datasets' own per-file limit, installed before anything reads the body."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        if request.method == "POST":
            dataset_upload_limit_install(request._request)
        super().initial(request, *args, **kwargs)

    def uploaded(self, request: Request) -> dict:
        """The parsed form, refused whole if the body broke off before its end."""
        return dataset_upload_complete(request._request, lambda: request.data)


@extend_schema(
    methods=["GET"],
    parameters=[DatasetFilterSerializer],
    responses={200: DatasetSerializer, **error_responses(400, 404)},
)
@extend_schema(
    methods=["POST"],
    request={"multipart/form-data": DatasetCreateSerializer},
    responses={201: DatasetDetailSerializer, **error_responses(400, 409, 413)},
)
class DatasetListApi(_UploadView, generics.ListAPIView):
    """Datasets you may see, newest first (`sort=downloads`: most downloaded); search with `q`, `tag`, `owner`.

    POST (signed in) publishes a new dataset `<you>/<slug>` with version 1 holding the uploaded `files`."""

    serializer_class = DatasetSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        filters = DatasetFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return datasets_visible(user=self.request.user, **filters.validated_data)

    def post(self, request: Request) -> Response:
        serializer = DatasetCreateSerializer(data=self.uploaded(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dataset = dataset_create(
            owner=request.user,
            slug=data["slug"],
            title=data["title"],
            licence_id=data["licence"],
            licence_text=data["licence_text"],
            subtitle=data["subtitle"],
            description=data["description"],
            source=data["source"],
            tags=_names(data["tags"]),
            visibility=data["visibility"],
            note=data["note"],
            files=data["files"],
        )
        dataset = dataset_get_visible(user=request.user, owner=request.user.username, slug=dataset.slug)
        dataset.latest_number = 1
        return Response(DatasetDetailSerializer(dataset, context={"request": request}).data, status=201)


@extend_schema(methods=["GET"], responses={200: DatasetDetailSerializer, **error_responses(404)})
@extend_schema(
    methods=["PATCH"],
    request=DatasetUpdateSerializer,
    responses={200: DatasetDetailSerializer, **error_responses(400, 403, 404)},
)
class DatasetDetailApi(APIView):
    """A dataset with its versions, newest first; PATCH changes its metadata (owner only)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "patch", "head", "options"]

    def _dataset(self, request: Request, owner: str, dataset_slug: str) -> Dataset:
        dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
        counts = dataset.versions.aggregate(latest=Max("number"), downloads=Sum("download_count"))
        dataset.latest_number, dataset.downloads = counts["latest"], counts["downloads"] or 0
        return dataset

    def get(self, request: Request, owner: str, dataset_slug: str) -> Response:
        dataset = self._dataset(request, owner, dataset_slug)
        return Response(DatasetDetailSerializer(dataset, context={"request": request}).data)

    def patch(self, request: Request, owner: str, dataset_slug: str) -> Response:
        dataset = self._dataset(request, owner, dataset_slug)
        serializer = DatasetUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "licence" in data:
            data["licence_id"] = data.pop("licence")
        if "tags" in data:
            data["tags"] = _names(data["tags"])
        dataset_update(dataset=dataset, user=request.user, **data)
        return self.get(request, owner, dataset_slug)


@extend_schema(
    request={"multipart/form-data": DatasetVersionCreateSerializer},
    responses={201: DatasetVersionSerializer, **error_responses(400, 403, 404, 413)},
)
class DatasetVersionCreateApi(_UploadView, APIView):
    """A new version (owner only): the latest version's files, minus those named in `remove`, with the uploaded
    `files` added or replacing those of the same name. Versions never change once made."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request: Request, owner: str, dataset_slug: str) -> Response:
        dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
        serializer = DatasetVersionCreateSerializer(data=self.uploaded(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = dataset_version_create(
            dataset=dataset,
            user=request.user,
            files=data["files"],
            note=data["note"],
            remove=_names(data["remove"]),
        )
        version = dataset_version_get(dataset=dataset, number=version.number)
        return Response(DatasetVersionSerializer(version, context={"request": request}).data, status=201)


@extend_schema(responses={200: DatasetFileSerializer(many=True), **error_responses(404)})
class DatasetVersionFilesApi(APIView):
    """The files of one version: each `download_url` streams the file with Range (resume) and ETag (its sha256)."""

    permission_classes = [AllowAny]

    def get(self, request: Request, owner: str, dataset_slug: str, number: int) -> Response:
        dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
        version = dataset_version_get(dataset=dataset, number=number)
        context = {"request": request, "version": version}
        return Response(DatasetFileSerializer(version.files.all(), many=True, context=context).data)


class DownloadQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31, help_text="The version's number; the latest if left out"
    )


@extend_schema(
    parameters=[DownloadQuerySerializer],
    responses={
        (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip of the version"),
        **error_responses(400, 404),
    },
)
class DatasetDownloadApi(APIView):
    """The zip of all a version's files: its `zip_size` and `zip_sha256` (in the version) are what is sent;
    Range and ETag as for single files."""

    permission_classes = [AllowAny]

    def get(self, request: Request, owner: str, dataset_slug: str):
        query = DownloadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
        version = dataset_version_get(dataset=dataset, number=query.validated_data.get("version"))
        return dataset_zip_response(request._request, version)


__all__ = [
    "DatasetDetailApi",
    "DatasetDownloadApi",
    "DatasetListApi",
    "DatasetVersionCreateApi",
    "DatasetVersionFilesApi",
    "status",
]
