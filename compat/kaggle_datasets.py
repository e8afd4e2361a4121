"""The Kaggle CLI's and kagglehub's dataset endpoints (`datasets.DatasetApiService`, `blobs.BlobApiService`), over
the hub's dataset selectors and services, as kaggle 2.2.5 / kagglesdk 0.1.x and kagglehub 1.0.x call them.

Who sees what is the hub's one rule (projects/dataset_selectors.py): a private dataset is 404 here too. Uploads
follow Kaggle's blob protocol: StartBlobUpload hands out a signed ticket for one file of an announced size; its raw
bytes are PUT to an address holding the ticket and kept apart (never as a dataset file yet); CreateDataset or
CreateDatasetVersion then publishes the uploaded files through the hub's services, which check names, the per-file
limit and the quota as for any upload, and the kept bytes are removed whatever happens.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Max, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from hub.storage import delete_older_than
from projects.dataset_downloads import dataset_file_response, dataset_zip_response
from projects.dataset_selectors import (
    dataset_file_get,
    dataset_get_visible,
    dataset_version_get,
    datasets_visible,
)
from projects.dataset_services import dataset_create, dataset_version_create
from projects.errors import DatasetFileTooLarge, DatasetInvalid
from projects.models import Dataset, DatasetVersion, Licence
from workers.scoring.sizes import human_bytes

from .authentication import KaggleKeyAuthentication
from .errors import Refused, kaggle_refusals
from .kaggle import KaggleView
from .kaggle_serializers import PagedRequest, kaggle_date, next_page_token

DATASETS = "datasets.DatasetApiService"
BLOBS = "blobs.BlobApiService"
UPLOAD_SALT = "compat.kaggle.dataset-upload"
DOWNLOAD_SALT = "compat.kaggle.dataset-download"
DOWNLOAD_MAX_AGE = 60 * 60
UPLOAD_MAX_AGE = 60 * 60
UPLOAD_FOLDER = "compat/kaggle-dataset-uploads"
CHUNK = 1024 * 1024


def _ref(dataset: Dataset) -> str:
    return f"{dataset.owner.username}/{dataset.slug}"


def _dataset_json(request: Request, dataset: Dataset, *, latest: DatasetVersion | None = None) -> dict:
    url = request.build_absolute_uri(reverse("dataset-detail", args=[dataset.owner.username, dataset.slug]))
    total = sum(f.blob.size for f in latest.files.all()) if latest is not None else 0
    return {
        "id": dataset.pk,
        "ref": _ref(dataset),
        "title": dataset.title,
        "subtitle": dataset.subtitle,
        "description": dataset.description,
        "creatorName": dataset.owner.username,
        "ownerName": dataset.owner.username,
        "ownerRef": dataset.owner.username,
        "url": url,
        "lastUpdated": kaggle_date(dataset.updated_at),
        "downloadCount": getattr(dataset, "downloads", None) or 0,
        "isPrivate": dataset.visibility == Dataset.Visibility.PRIVATE,
        "licenseName": dataset.licence_name or dataset.licence_id,
        "currentVersionNumber": latest.number if latest is not None else getattr(dataset, "latest_number", 0),
        "totalBytes": total,
        "tags": [{"ref": tag.name, "name": tag.name} for tag in dataset.tags.all()],
    }


def _file_json(dataset: Dataset, version: DatasetVersion, listed) -> dict:
    return {
        "ref": listed.name,
        "datasetRef": _ref(dataset),
        "ownerRef": dataset.owner.username,
        "name": listed.name,
        "creationDate": kaggle_date(version.created_at),
        "description": "",
        "totalBytes": listed.blob.size,
    }


def _dataset(request: Request, owner: str, slug: str) -> Dataset:
    try:
        return dataset_get_visible(user=request.user, owner=owner, slug=slug)
    except Http404:
        raise Refused(
            f"There is no dataset '{owner}/{slug}'. `kaggle datasets list` shows each one's ref.", status=404
        ) from None


def _version(dataset: Dataset, number: int | None) -> DatasetVersion:
    try:
        return dataset_version_get(dataset=dataset, number=number)
    except Http404 as error:
        raise Refused(str(error), status=404) from None


class DatasetRequest(serializers.Serializer):
    ownerSlug = serializers.CharField(max_length=150)
    datasetSlug = serializers.CharField(max_length=100)


class VersionedRequest(DatasetRequest):
    datasetVersionNumber = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31
    )


class ListDatasetsRequest(PagedRequest):
    group = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    sortBy = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    search = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    user = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    tagIds = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ListDatasetFilesRequest(VersionedRequest, PagedRequest):
    pass


class DownloadDatasetRequest(VersionedRequest):
    fileName = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=255)


class NewFile(serializers.Serializer):
    token = serializers.CharField(max_length=2000)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=2000)


class CreateDatasetRequest(serializers.Serializer):
    ownerSlug = serializers.CharField(max_length=150)
    slug = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=200)
    licenseName = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    isPrivate = serializers.BooleanField(required=False, default=True)
    files = NewFile(many=True, required=False, default=list)
    subtitle = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100_000)
    categoryIds = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=50
    )


class VersionBody(serializers.Serializer):
    versionNotes = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    files = NewFile(many=True, required=False, default=list)


class CreateDatasetVersionRequest(DatasetRequest):
    body = VersionBody()


class StartBlobUploadRequest(serializers.Serializer):
    type = serializers.CharField(required=False, allow_blank=True, default="DATASET", max_length=50)
    name = serializers.CharField(max_length=255)
    contentLength = serializers.IntegerField(min_value=0, max_value=2**62)


class PublicKaggleView(KaggleView):
    """Reads: a public dataset is anyone's, so kagglehub works without a key too (an invalid key is still refused)."""

    permission_classes = [AllowAny]


class ListDatasets(PublicKaggleView):
    def post(self, request: Request) -> Response:
        form = self.valid(ListDatasetsRequest)
        data = form.validated_data
        owner = data["user"] or (request.user.username if data["group"].endswith("_MY") else None)
        sort = "downloads" if "DOWNLOAD" in data["sortBy"] or "VOTES" in data["sortBy"] else "recent"
        datasets = datasets_visible(
            user=request.user, q=data["search"] or None, tag=data["tagIds"] or None, owner=owner, sort=sort
        )
        offset, page_size = form.offset(), data["pageSize"]
        total = datasets.count()
        rows = [_dataset_json(request, dataset) for dataset in datasets[offset : offset + page_size]]
        return Response({"datasets": rows, "nextPageToken": next_page_token(offset, page_size, total)})


class GetDataset(PublicKaggleView):
    """What kagglehub asks first: the current version's number."""

    def post(self, request: Request) -> Response:
        data = self.valid(DatasetRequest).validated_data
        dataset = _dataset(request, data["ownerSlug"], data["datasetSlug"])
        counts = dataset.versions.aggregate(downloads=Sum("download_count"))
        dataset.downloads = counts["downloads"] or 0
        return Response(_dataset_json(request, dataset, latest=_version(dataset, None)))


class GetDatasetStatus(PublicKaggleView):
    """`kaggle datasets create` asks first whether the ref is taken: 404 when it is free."""

    def post(self, request: Request) -> Response:
        data = self.valid(DatasetRequest).validated_data
        dataset = _dataset(request, data["ownerSlug"], data["datasetSlug"])
        return Response({"status": "READY" if dataset.versions.exists() else "NOT_YET_PERSISTED"})


class GetDatasetMetadata(PublicKaggleView):
    def post(self, request: Request) -> Response:
        data = self.valid(DatasetRequest).validated_data
        dataset = _dataset(request, data["ownerSlug"], data["datasetSlug"])
        downloads = dataset.versions.aggregate(total=Sum("download_count"))["total"] or 0
        info = {
            "datasetId": dataset.pk,
            "datasetSlug": dataset.slug,
            "ownerUser": dataset.owner.username,
            "title": dataset.title,
            "subtitle": dataset.subtitle,
            "description": dataset.description,
            "isPrivate": dataset.visibility == Dataset.Visibility.PRIVATE,
            "keywords": [tag.name for tag in dataset.tags.all()],
            "licenses": [
                {"name": dataset.licence_id if dataset.licence_id != Licence.OTHER else dataset.licence}
            ],
            "totalDownloads": downloads,
        }
        return Response({"info": info, "errorMessage": ""})


class ListDatasetFiles(PublicKaggleView):
    def post(self, request: Request) -> Response:
        form = self.valid(ListDatasetFilesRequest)
        data = form.validated_data
        dataset = _dataset(request, data["ownerSlug"], data["datasetSlug"])
        version = _version(dataset, data.get("datasetVersionNumber"))
        files = list(version.files.all())
        offset, page_size = form.offset(), data["pageSize"]
        return Response(
            {
                "datasetFiles": [_file_json(dataset, version, f) for f in files[offset : offset + page_size]],
                "errorMessage": "",
                "nextPageToken": next_page_token(offset, page_size, len(files)),
            }
        )


class DownloadDataset(PublicKaggleView):
    """A redirect to the file (`fileName`) or to the version's zip; the address's last part names the saved file."""

    def post(self, request: Request) -> HttpResponseRedirect:
        data = self.valid(DownloadDatasetRequest).validated_data
        dataset = _dataset(request, data["ownerSlug"], data["datasetSlug"])
        version = _version(dataset, data.get("datasetVersionNumber"))
        owner, slug = dataset.owner.username, dataset.slug
        name = data.get("fileName") or ""
        if name:
            try:
                dataset_file_get(version=version, name=name)
            except Http404:
                names = ", ".join(f.name for f in version.files.all())
                raise Refused(
                    f"Version {version.number} of {owner}/{slug} has no file '{name}'. Its files: {names}.",
                    status=404,
                ) from None
        # The clients follow the redirect without their key, so the address carries a signed, expiring ticket for
        # this one download (as a bucket's signed address does), given out only after the visibility check.
        ticket = signing.dumps({"v": version.pk, "f": name}, salt=DOWNLOAD_SALT)
        return HttpResponseRedirect(reverse("kaggle-dataset-download", args=[ticket, name or f"{slug}.zip"]))


@require_safe
@kaggle_refusals
def dataset_download(request: HttpRequest, token: str, name: str) -> HttpResponse:
    """The file or zip a DownloadDataset answer pointed to, streamed with Range and ETag."""
    try:
        data = signing.loads(token, salt=DOWNLOAD_SALT, max_age=DOWNLOAD_MAX_AGE)
    except signing.BadSignature:
        return JsonResponse(
            {
                "code": 404,
                "message": "This download address has expired or was not given out by this hub: "
                "download again.",
            },
            status=404,
        )
    version = DatasetVersion.objects.select_related("dataset__owner").filter(pk=data["v"]).first()
    if version is None:
        return JsonResponse({"code": 404, "message": "This dataset version is gone."}, status=404)
    if not data["f"]:
        return dataset_zip_response(request, version)
    listed = version.files.select_related("blob").filter(name=data["f"]).first()
    if listed is None:
        return JsonResponse({"code": 404, "message": f"No file '{data['f']}' in this version."}, status=404)
    return dataset_file_response(request, listed)


@dataclass(frozen=True)
class UploadTicket:
    user_id: int
    file_name: str
    size: int
    nonce: str

    @property
    def path(self) -> str:
        return f"{UPLOAD_FOLDER}/{self.nonce}"


def _ticket(token: str) -> UploadTicket:
    try:
        data = signing.loads(token, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise DatasetInvalid(
            "This upload was started over an hour ago and has expired. Upload again."
        ) from None
    except signing.BadSignature:
        raise DatasetInvalid("This upload token was not given out by this hub. Upload again.") from None
    return UploadTicket(data["u"], data["f"], data["s"], data["n"])


def _check_file_size(name: str, size: int) -> None:
    limit = settings.HUB_DATASET_MAX_FILE_BYTES
    if size > limit:
        raise DatasetFileTooLarge(
            f"'{name}' is {human_bytes(size)}; a dataset file may be at most {human_bytes(limit)}. "
            "Split it, or compress it with gzip or zip."
        )


class StartBlobUpload(KaggleView):
    def post(self, request: Request) -> Response:
        data = self.valid(StartBlobUploadRequest).validated_data
        if data["type"] not in ("DATASET", "API_BLOB_TYPE_DATASET"):
            raise Refused("This hub takes uploads of dataset files only.", status=400)
        _check_file_size(data["name"], data["contentLength"])
        delete_older_than(UPLOAD_FOLDER, UPLOAD_MAX_AGE)  # bytes PUT whose ticket expired
        token = signing.dumps(
            {"u": request.user.pk, "f": data["name"], "s": data["contentLength"], "n": uuid.uuid4().hex},
            salt=UPLOAD_SALT,
        )
        url = request.build_absolute_uri(reverse("kaggle-dataset-upload", args=[token]))
        return Response({"token": token, "createUrl": url})


@csrf_exempt
@require_http_methods(["PUT"])
@kaggle_refusals
def dataset_upload(request: HttpRequest, token: str) -> JsonResponse:
    """The PUT of one file's raw bytes, exactly the announced size, read in chunks and kept apart until published.
    The signed ticket is its credential (the CLI sends no other); credentials sent all the same must match it."""
    try:
        caller = KaggleKeyAuthentication().authenticate(Request(request))
        ticket = _ticket(token)
        owner = get_user_model().objects.filter(pk=ticket.user_id, is_active=True).first()
        if owner is None or (caller is not None and caller[0].pk != ticket.user_id):
            raise DatasetInvalid("This upload was started by another user. Upload again.")
        _check_file_size(ticket.file_name, ticket.size)
        with tempfile.TemporaryFile() as spool:
            received = 0
            while chunk := request.read(CHUNK):
                received += len(chunk)
                if received > ticket.size:
                    raise DatasetFileTooLarge(f"The upload is larger than the {ticket.size} bytes announced.")
                spool.write(chunk)
            if received != ticket.size:
                raise DatasetInvalid(
                    f"The upload stopped after {received} of {ticket.size} bytes. Upload again."
                )
            spool.seek(0)
            default_storage.delete(ticket.path)  # a retried PUT replaces the first
            default_storage.save(ticket.path, File(spool))
    except AuthenticationFailed as error:
        return JsonResponse({"code": 400, "message": str(error.detail)}, status=400)
    return JsonResponse({})


@contextlib.contextmanager
def _uploaded_files(user, tokens: list[str]):
    """The files PUT under `tokens`, opened, named as uploaded; the kept bytes are removed on leaving, whatever
    happened."""
    tickets = [_ticket(token) for token in tokens]
    try:
        for ticket in tickets:
            if ticket.user_id != user.pk:
                raise DatasetInvalid("An upload was started by another user. Upload again.")
            if not default_storage.exists(ticket.path):
                raise DatasetInvalid(f"'{ticket.file_name}' was never uploaded, or was published already.")
        with contextlib.ExitStack() as stack:
            yield [
                File(stack.enter_context(default_storage.open(t.path, "rb")), name=t.file_name)
                for t in tickets
            ]
    finally:
        for ticket in tickets:
            default_storage.delete(ticket.path)


def _licence(name: str) -> tuple[str, str]:
    if name in Licence.values:
        return name, ""
    return Licence.OTHER.value, name


class CreateDataset(KaggleView):
    def post(self, request: Request) -> Response:
        data = self.valid(CreateDatasetRequest).validated_data
        if data["ownerSlug"] != request.user.username:
            raise Refused(
                f"You can publish datasets as {request.user.username} only: set the id to "
                f"{request.user.username}/{data['slug']} in dataset-metadata.json.",
                status=400,
            )
        licence_id, licence_text = _licence(data["licenseName"])
        with _uploaded_files(request.user, [f["token"] for f in data["files"]]) as files:
            dataset = dataset_create(
                owner=request.user,
                slug=data["slug"],
                title=data["title"],
                licence_id=licence_id,
                licence_text=licence_text,
                subtitle=data.get("subtitle") or "",
                description=data.get("description") or "",
                tags=data["categoryIds"],
                visibility=Dataset.Visibility.PRIVATE if data["isPrivate"] else Dataset.Visibility.PUBLIC,
                files=files,
            )
        url = request.build_absolute_uri(
            reverse("dataset-detail", args=[dataset.owner.username, dataset.slug])
        )
        return Response({"ref": _ref(dataset), "url": url, "status": "ok", "error": "", "invalidTags": []})


class CreateDatasetVersion(KaggleView):
    def post(self, request: Request) -> Response:
        data = self.valid(CreateDatasetVersionRequest).validated_data
        dataset = _dataset(request, data["ownerSlug"], data["datasetSlug"])
        body = data["body"]
        with _uploaded_files(request.user, [f["token"] for f in body["files"]]) as files:
            # As on Kaggle, a version holds exactly the folder's files: those not uploaded again are dropped.
            latest = dataset.versions.aggregate(number=Max("number"))["number"]
            names = {f.name for f in files}
            previous = (
                dataset.versions.get(number=latest).files.values_list("name", flat=True) if latest else []
            )
            version = dataset_version_create(
                dataset=dataset,
                user=request.user,
                files=files,
                note=body["versionNotes"],
                remove=[name for name in previous if name not in names],
            )
        url = request.build_absolute_uri(
            reverse("dataset-detail", args=[dataset.owner.username, dataset.slug])
        )
        return Response(
            {"ref": _ref(dataset), "url": f"{url}?version={version.number}", "status": "ok", "error": ""}
        )


# (service, method) -> view: the dataset part of the Kaggle API that the hub serves.
METHODS = {
    (DATASETS, "ListDatasets"): ListDatasets,
    (DATASETS, "GetDataset"): GetDataset,
    (DATASETS, "GetDatasetStatus"): GetDatasetStatus,
    (DATASETS, "GetDatasetMetadata"): GetDatasetMetadata,
    (DATASETS, "ListDatasetFiles"): ListDatasetFiles,
    (DATASETS, "DownloadDataset"): DownloadDataset,
    (DATASETS, "CreateDataset"): CreateDataset,
    (DATASETS, "CreateDatasetVersion"): CreateDatasetVersion,
    (BLOBS, "StartBlobUpload"): StartBlobUpload,
}
