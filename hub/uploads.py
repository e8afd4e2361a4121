"""Streaming uploads with a size limit enforced before and while the body is read.

Django's multipart parser streams each file to upload handlers in chunks (to memory up to
FILE_UPLOAD_MAX_MEMORY_SIZE, then to a temporary file), so no upload is held whole in memory. On top of it, one
counting handler placed before the storing ones (UploadLimitHandler) holds the limit, and the API checks the
declared Content-Length against it before a byte of the body is read. A refusal is the submission services' own
(SubmissionRefused, too_large), worded once (workers/scoring/sizes.py) and answered in each protocol's shape.
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

from submissions.errors import Reason, SubmissionRefused
from workers.scoring.sizes import too_large_message

# Room for the multipart boundaries, part headers and small form fields next to the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def upload_too_large(max_bytes: int) -> SubmissionRefused:
    return SubmissionRefused(Reason.TOO_LARGE, too_large_message(max_bytes))


class UploadLimitHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS, so it counts every upload, the API's, the web form's and the admin's: the one
    size check while a body streams in. Past the limit it passes no more bytes to the handlers that store (memory,
    then a temporary file), so disk use stays bounded whatever the client sends.

    Then it either refuses at once, which stops the parse (what upload_limit_install asks for: an API client gets
    its 413 before it sent the whole file); or it reads the rest and drops it, handing on an OversizedUpload, so a
    browser gets the form back with the reason instead of a reset connection.

    The limit is the one upload_limit_install gave; else the challenge's own for a URL with a challenge slug in
    it, else HUB_MAX_UPLOAD_BYTES, looked up at the first file, not before: a view that knows its challenge sets
    the limit first, and the challenge is not fetched twice.
    """

    def __init__(self, request: HttpRequest | None = None):
        super().__init__(request)
        self.max_bytes: int | None = None
        self.refuse_at_once = False
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received <= self.limit():
            return raw_data  # passed on to the handlers that store it
        if self.refuse_at_once:
            raise upload_too_large(self.limit())
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > self.limit():
            return OversizedUpload(self.file_name, self.received, self.content_type)
        return None  # the next handler holds the bytes and makes the file

    def limit(self) -> int:
        """The upload's limit in bytes, looked up (once) if no view gave it."""
        if self.max_bytes is None:
            match = getattr(self.request, "resolver_match", None)
            if match is not None and match.url_name in BUNDLE_UPLOAD_URL_NAMES:
                self.max_bytes = settings.HUB_MAX_BUNDLE_UPLOAD_BYTES
            else:
                self.max_bytes = upload_limit_of_slug(match.kwargs.get("slug") if match else None)
        return self.max_bytes


# Where hosts upload a challenge bundle or labelled data (the web forms and the REST API): the bundle's limit.
BUNDLE_UPLOAD_URL_NAMES = frozenset(
    {"host-home", "host-labelled", "api-challenge-list", "api-challenge-from-labelled-data"}
)


def upload_limit_install(request: HttpRequest, *, max_bytes: int | None) -> None:
    """Refuse the upload as soon as it passes `max_bytes`. Call it before anything reads the body: for a session
    sign-in, Django's CSRF check parses a multipart body during authentication, before the view runs.

    `max_bytes=None` refuses at once at the limit the URL's slug gives (upload_limit_of_slug), read only if the
    body is parsed before the view installs its own: a view that must know the viewer to resolve its challenge
    calls it first, then authenticates, then installs the challenge's limit.

    `request` is Django's request (for a DRF request, pass `request._request`: upload handlers live there).
    """
    handler = _limit_handler(request)
    if max_bytes is not None:
        handler.max_bytes = max_bytes
    handler.refuse_at_once = True


def upload_declared_length_check(request: HttpRequest) -> None:
    """Refuse a body whose declared Content-Length is already over the upload's limit, before a byte is read."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    limit = _limit_handler(request).limit()
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD_BYTES:
        raise upload_too_large(limit)


def _limit_handler(request: HttpRequest) -> UploadLimitHandler:
    handler = next((each for each in request.upload_handlers if isinstance(each, UploadLimitHandler)), None)
    if handler is None:  # FILE_UPLOAD_HANDLERS without it
        handler = UploadLimitHandler(request)
        request.upload_handlers.insert(0, handler)
    return handler


class OversizedUpload(UploadedFile):
    """Stands in for a file that passed its limit: it holds no bytes, but knows how big the upload was, so the
    submission rule refuses it with its usual message ("The file is 80.0 MB; this challenge takes at most ...")."""

    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def chunks(self, chunk_size=None):
        return iter(())

    def read(self, *args):
        return b""

    def readinto(self, buffer) -> int:
        return 0

    def readable(self) -> bool:
        return True

    def seek(self, *args):
        return 0

    def open(self, mode=None):
        return self

    def close(self):
        return None


def upload_limit_of_slug(slug: str | None) -> int:
    """The upload limit of the challenge at `slug` when anyone may see it, else HUB_MAX_UPLOAD_BYTES."""
    if slug:
        from django.contrib.auth.models import AnonymousUser

        from projects.selectors import challenges_visible

        # Only a challenge anyone may see: a private one's own limit (read before anyone is authenticated) would
        # tell an outsider it exists (a 413 where a slug nobody uses gives a 404). Views that resolved their
        # challenge for the viewer install its own limit (upload_limit_install).
        open_to_all = challenges_visible(viewer=AnonymousUser()).filter(slug=slug)
        limit = open_to_all.values_list("max_upload_bytes", flat=True).first()
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
        max_bytes = upload_limit_of_slug(_slug_of(request.path_info))
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
    from .server_errors import protocol_refusal  # the shapes of every protocol's errors live there

    response = protocol_refusal(request, upload_too_large(max_bytes), "413.html")
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
