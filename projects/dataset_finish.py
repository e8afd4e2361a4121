"""What follows a new dataset version, once, in a worker: a preview per new file and the zip of all its files.

The zip is built once and stored, so `download/?version=N` is a stored file like any other: streamed from storage
(or a signed address on S3), with its size and sha256 known before the first byte, Range and ETag included.
It is deterministic (member dates are the version's, compression fixed by file type), so building it again
gives the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import zipfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from hub.storage import local_copy

from .models import Blob, DatasetVersion
from .previews import PreviewMaker

logger = logging.getLogger(__name__)

# Formats that are compressed already: stored as they are in the zip, not deflated a second time.
COMPRESSED_SUFFIXES = (
    ".zip",
    ".gz",
    ".bz2",
    ".xz",
    ".npz",
    ".png",
    ".jpg",
    ".jpeg",
    ".parquet",
    ".7z",
    ".zst",
)
COPY_BYTES = 1024 * 1024
# The column a published CSV's class balance is shown for, when it has one.
TARGET_COLUMN_GUESS = "label"


def blob_preview_compute(blob: Blob) -> dict:
    """The blob's preview, computed now if it has none. Its stored name ends with the name it was first uploaded
    under, whose suffix tells the previews its type."""
    if blob.preview:
        return blob.preview
    with local_copy(blob.file) as path:
        preview = PreviewMaker([], target_column=TARGET_COLUMN_GUESS).preview(path, kind="train")
    Blob.objects.filter(pk=blob.pk).update(preview=preview)
    blob.preview = preview
    return preview


def zip_member_name(version: DatasetVersion) -> str:
    return f"{version.dataset.owner.username}-{version.dataset.slug}-v{version.number}.zip"


def dataset_version_zip_build(version: DatasetVersion) -> DatasetVersion:
    """Build and store the version's zip unless it is ready; two builders at once keep the first one's."""
    if version.zip_state == DatasetVersion.ZipState.READY:
        return version
    files = list(version.files.select_related("blob").order_by("name"))
    date_time = version.created_at.timetuple()[:6]
    with tempfile.TemporaryFile() as archive:
        with zipfile.ZipFile(archive, "w", allowZip64=True) as zipped:
            for listed in files:
                member = zipfile.ZipInfo(listed.name, date_time=date_time)
                member.external_attr = 0o644 << 16
                compressed = listed.name.lower().endswith(COMPRESSED_SUFFIXES)
                member.compress_type = zipfile.ZIP_STORED if compressed else zipfile.ZIP_DEFLATED
                with (
                    default_storage.open(listed.blob.file.name, "rb") as source,
                    zipped.open(member, "w", force_zip64=listed.blob.size > 2**31) as target,
                ):
                    shutil.copyfileobj(source, target, COPY_BYTES)
        size = archive.tell()
        archive.seek(0)
        digest = hashlib.sha256()
        while chunk := archive.read(COPY_BYTES):
            digest.update(chunk)
        sha256 = digest.hexdigest()
        archive.seek(0)
        name = default_storage.save(
            f"dataset-zips/{sha256[:2]}/{sha256}/{zip_member_name(version)}", File(archive)
        )
    with transaction.atomic():
        claimed = (
            DatasetVersion.objects.filter(pk=version.pk)
            .exclude(zip_state=DatasetVersion.ZipState.READY)
            .update(zip_state=DatasetVersion.ZipState.READY, zip_file=name, zip_size=size, zip_sha256=sha256)
        )
    if not claimed:
        default_storage.delete(name)
    version.refresh_from_db()
    return version


def dataset_version_finish(*, version_id: int) -> None:
    """Previews of the version's files that have none, then its zip. Safe to run twice."""
    version = DatasetVersion.objects.select_related("dataset__owner").filter(pk=version_id).first()
    if version is None:  # deleted meanwhile
        return
    for listed in version.files.select_related("blob"):
        try:
            blob_preview_compute(listed.blob)
        except OSError:
            logger.exception(
                "No preview of %s (blob %s): storage could not read it", listed.name, listed.blob.sha256
            )
    dataset_version_zip_build(version)
