"""Upload size limits enforced while the request streams in, before anything is stored whole."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


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


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts each file's bytes and, past the limit, passes no more of them to the
    handlers that store (memory, then a temporary file). The rest of the request is read and dropped, so the
    client gets an answer instead of a reset connection, and disk use stays bounded by the limit.

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


def _limit_for(request) -> int:
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    if slug:
        from projects.models import Challenge

        limit = Challenge.objects.filter(slug=slug).values_list("max_upload_bytes", flat=True).first()
        if limit:
            return limit
    return settings.HUB_MAX_UPLOAD_BYTES
