"""Streaming uploads with a size limit enforced before and while the body is read.

Django's multipart parser streams each file to upload handlers in chunks (to memory up to
FILE_UPLOAD_MAX_MEMORY_SIZE, then to a temporary file), so no upload is held whole in memory. On top of it:
first the declared Content-Length is checked, before a byte of the body is read; then a counting handler, placed
before the storing ones, stops the parse as soon as a file passes the limit, whatever the client declared.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from rest_framework import status
from rest_framework.exceptions import APIException

from .formatting import human_bytes

# Room for the multipart boundaries, part headers and small form fields next to the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, max_bytes: int, received: int | None = None):
        size = f"The upload is {human_bytes(received)}; " if received else "The upload is too large: "
        super().__init__(
            f"{size}this challenge takes files of at most {human_bytes(max_bytes)}. "
            "Compress the CSV with gzip or zip, or check its contents."
        )
        self.max_bytes = max_bytes


class SizeLimitUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they stream past and stops the parse once one is over `max_bytes`."""

    def __init__(self, request: HttpRequest, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            raise UploadTooLarge(self.max_bytes)
        return raw_data  # passed on to the handlers that store it

    def file_complete(self, file_size: int) -> None:
        return None  # the storing handlers after this one make the file


def upload_limit_install(request: HttpRequest, *, max_bytes: int) -> None:
    """Count the upload's bytes as they are parsed. Install it before anything reads the body: for a session
    sign-in, Django's CSRF check parses a multipart body during authentication, before the view runs.

    `request` is Django's request (for a DRF request, pass `request._request`: upload handlers live there).
    """
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request, max_bytes))


def upload_declared_length_check(request: HttpRequest, *, max_bytes: int) -> None:
    """Refuse a body whose declared Content-Length is already too large, before a byte of it is read."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > max_bytes + MULTIPART_OVERHEAD_BYTES:
        raise UploadTooLarge(max_bytes, received=int(declared))


class OversizedUpload(UploadedFile):
    """Stands in for a file that passed its limit: it holds no bytes, but knows how big the upload was, so the
    submission service refuses it with its usual message ("The file is 80.0 MB; this challenge takes at most ...")."""

    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def chunks(self, chunk_size=None):
        return iter(())

    def read(self, *args):
        return b""

    def seek(self, *args):
        return 0

    def open(self, mode=None):
        return self

    def close(self):
        return None


class UploadLimitFallbackHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS, so it limits every upload, the web form's and the admin's included, where no
    view installed SizeLimitUploadHandler: counts each file's bytes and, past the limit, passes no more of them to
    the handlers that store (memory, then a temporary file). The rest of the request is read and dropped, so the
    browser gets the form back with the reason instead of a reset connection, and disk use stays bounded.

    The limit is the challenge's own for a URL with a challenge slug in it, else HUB_MAX_UPLOAD_BYTES.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = _limit_for(request)
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > self.limit:
            return OversizedUpload(self.file_name, self.received, self.content_type)
        return None  # the next handler holds the bytes and makes the file


# Where hosts upload a challenge bundle (the web form and the REST API): the bundle's limit, not a challenge's.
BUNDLE_UPLOAD_URL_NAMES = frozenset(
    {"host-home", "host-labelled", "api-challenge-list", "api-challenge-from-labelled-data"}
)


def _limit_for(request) -> int:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in BUNDLE_UPLOAD_URL_NAMES:
        return settings.HUB_MAX_BUNDLE_UPLOAD_BYTES
    return _limit_of_slug(match.kwargs.get("slug") if match else None)


def _limit_of_slug(slug: str | None) -> int:
    if slug:
        from projects.models import Challenge

        limit = Challenge.objects.filter(slug=slug).values_list("max_upload_bytes", flat=True).first()
        if limit:
            return limit
    return settings.HUB_MAX_UPLOAD_BYTES


# What is read and dropped after refusing a chunked body, so the 413 reaches a client still sending (closing a socket
# with unread data resets the connection); past it the connection is closed anyway.
CHUNKED_DRAIN_BYTES = 64 * 1024 * 1024
_READ_BYTES = 64 * 1024


class ChunkedBodyMiddleware:
    """Bodies sent with Transfer-Encoding: chunked and no Content-Length, as a hostile or streaming client may.

    Django reads a body without Content-Length as empty, so such an upload answered "No file was submitted" however
    large it was. This reads the body first, to a spooled temporary file (memory, then disk) up to the upload limit
    (the challenge's for a URL with its slug, else HUB_MAX_UPLOAD_BYTES) and hands it on with its length, so it is
    parsed like any other; past the limit it stops reading and answers 413 saying so, in the protocol's shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked or request.META.get("CONTENT_LENGTH"):
            return self.get_response(request)
        max_bytes = _limit_of_slug(_slug_of(request.path_info))
        source = request.META["wsgi.input"]
        body = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed with the response)
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        size = 0
        while size <= max_bytes + MULTIPART_OVERHEAD_BYTES:
            chunk = source.read(_READ_BYTES)
            if not chunk:
                break
            size += len(chunk)
            body.write(chunk)
        if size > max_bytes + MULTIPART_OVERHEAD_BYTES:
            body.close()
            return _refused(request, max_bytes, source)
        body.seek(0)
        request.META["CONTENT_LENGTH"] = str(size)
        request.META["wsgi.input"] = body
        request._stream = LimitedStream(body, size)
        response = self.get_response(request)
        response._resource_closers.append(body.close)
        return response


def _slug_of(path: str) -> str | None:
    try:
        return resolve(path).kwargs.get("slug")
    except Resolver404:
        return None


def _refused(request: HttpRequest, max_bytes: int, source) -> HttpResponse:
    from .server_errors import protocol_error  # the shapes of every protocol's errors live there

    error = UploadTooLarge(max_bytes)
    response = protocol_error(request, 413, "too_large", str(error.detail), "413.html")
    response["Connection"] = "close"
    # After the answer is sent (the server closes the response then), drop what the client still sends.
    response._resource_closers.append(lambda: _drain(source))
    return response


def _drain(source) -> None:
    dropped = 0
    with contextlib.suppress(OSError, ValueError):
        while dropped < CHUNKED_DRAIN_BYTES:
            chunk = source.read(_READ_BYTES)
            if not chunk:
                return
            dropped += len(chunk)
