"""Sending a dataset version's files and its zip: one function each, for the pages, the REST API and the Kaggle
protocol. Both stream with Range and ETag (hub/downloads.py), or redirect to a signed address on S3."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, UnreadablePostError

from hub.downloads import file_response
from hub.storage import signed_download_url
from hub.uploads import UploadLimitHandler
from workers.scoring.sizes import human_bytes

from .dataset_finish import dataset_version_zip_build, zip_member_name
from .dataset_services import dataset_version_count_download
from .errors import DatasetFileTooLarge, DatasetInvalid, DatasetZipNotReady
from .models import DatasetFile, DatasetVersion


def _counted(request: HttpRequest, version: DatasetVersion) -> None:
    """A download is counted once: a whole GET, not each resumed range or revalidation."""
    if request.method == "GET" and "Range" not in request.headers and "If-None-Match" not in request.headers:
        dataset_version_count_download(version=version)


def _send(
    request: HttpRequest, field_file, *, size: int, sha256: str, last_modified, filename: str
) -> HttpResponse:
    url = signed_download_url(field_file, filename=filename)
    if url is not None:
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = (
            "private, no-store"  # the address expires: a cached redirect would outlive it
        )
        return response
    return file_response(
        request,
        lambda: field_file.storage.open(field_file.name, "rb"),
        size=size,
        sha256=sha256,
        last_modified=last_modified,
        filename=filename,
    )


def dataset_file_response(request: HttpRequest, listed: DatasetFile) -> HttpResponse:
    _counted(request, listed.version)
    blob = listed.blob
    return _send(
        request,
        blob.file,
        size=blob.size,
        sha256=blob.sha256,
        last_modified=blob.created_at,
        filename=listed.name,
    )


def dataset_zip_response(request: HttpRequest, version: DatasetVersion) -> HttpResponse:
    """The version's zip. One not built yet is built now if small; a big one is left to the worker, and the
    client is told to come back (503 with Retry-After)."""
    if version.zip_state != DatasetVersion.ZipState.READY:
        total = sum(listed.blob.size for listed in version.files.all())
        if total > settings.HUB_DATASET_ZIP_INLINE_BYTES:
            from workers.tasks import finish_dataset_version

            finish_dataset_version.delay(version.pk)
            raise DatasetZipNotReady(
                f"The zip of version {version.number} ({human_bytes(total)} of files) is still being built; "
                f"try again in a minute, or download its files one by one."
            )
        version = dataset_version_zip_build(version)
    _counted(request, version)
    return _send(
        request,
        version.zip_file,
        size=version.zip_size,
        sha256=version.zip_sha256,
        last_modified=version.created_at,
        filename=zip_member_name(version),
    )


class DatasetFileLimitHandler(UploadLimitHandler):
    """The hub's one counting handler, with datasets' own per-file limit and refusal."""

    def __init__(self, request: HttpRequest, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            raise DatasetFileTooLarge(
                f"'{self.file_name}' is larger than {human_bytes(self.max_bytes)}, the most a dataset file may be. "
                "Split it, or compress it with gzip or zip."
            )
        return raw_data


def dataset_upload_limit_install(request: HttpRequest) -> None:
    """Dataset files have their own limit (HUB_DATASET_MAX_FILE_BYTES) in place of the challenges'.
    Call before anything reads the body; `request` is Django's request."""
    handlers: list[FileUploadHandler] = [
        handler for handler in request.upload_handlers if not isinstance(handler, UploadLimitHandler)
    ]
    request.upload_handlers = [
        DatasetFileLimitHandler(request, settings.HUB_DATASET_MAX_FILE_BYTES),
        *handlers,
    ]


def dataset_upload_complete(request: HttpRequest, parse):
    """`parse()` (what reads the body), refused if the body ended before its declared length: Django's parser
    takes a multipart body cut short as complete, which would publish a truncated file."""
    broke_off = DatasetInvalid("The upload broke off before its end: nothing was stored. Send it again.")
    try:
        data = parse()
    except UnreadablePostError:
        raise broke_off from None
    stream = getattr(request, "_stream", None)
    limit, read = getattr(stream, "limit", None), getattr(stream, "_pos", None)
    if limit is not None and read is not None and read < limit:
        raise broke_off
    return data
