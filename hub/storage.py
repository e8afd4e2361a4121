"""Where the hub's files live: local disk by default, S3 or MinIO when configured (docs/storage.md).

Two storages, both private: "default" for dataset files and submissions, "solutions" for the hidden solutions.
On S3 they are two buckets, so a mistake in one bucket's policy can never expose a solution. Public dataset
files are sent by signed, expiring addresses (S3) or streamed by the hub (local disk); solutions have no address
at all. The scoring engine reads paths, so the worker reads remote files through local_copy().
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

from .downloads import content_type_for

SOLUTIONS_STORAGE_ALIAS = "solutions"


class ChecksumMismatch(OSError):
    """A downloaded file is not the one whose checksum was recorded: the stored object was changed or damaged."""


COPY_CHUNK_BYTES = 1024 * 1024


class S3FileStorage(S3Storage):
    """S3 storage that records each object's type as the hub sends it.

    django-storages guesses a .csv.gz to be text/csv with Content-Encoding gzip; browsers and HTTP clients would
    then unpack it on the fly and save bytes that match neither the listed size nor the sha256. The object is
    stored as the gzip file it is, as hub/downloads.py sends it from local disk.
    """

    def get_object_parameters(self, name: str) -> dict:
        # https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html#settings (object_parameters)
        return {"ContentType": content_type_for(name), **super().get_object_parameters(name)}


class HiddenS3Storage(S3FileStorage):
    """The private bucket of hidden solutions: nothing in the hub may ever build an address for one."""

    def url(self, name: str, *args, **kwargs) -> str:
        raise NotImplementedError("Hidden solutions have no download address.")


class _SolutionsStorage(LazyObject):
    """storages["solutions"], looked up on first use, like Django's default_storage.

    A FileField calls its storage callable once, when the model class is built; through this proxy a change of
    STORAGES afterwards (pytest-django's `settings` fixture) still reaches Solution.file, as it reaches DataFile.
    """

    def _setup(self) -> None:
        self._wrapped = storages[SOLUTIONS_STORAGE_ALIAS]


solutions_storage_proxy = _SolutionsStorage()


def solutions_storage() -> Storage:
    """The storage of Solution.file. A callable, so migrations record this name and not one backend."""
    return solutions_storage_proxy


@receiver(setting_changed)
def _forget_solutions_storage(*, setting: str, **kwargs) -> None:
    # Django's own receiver resets default_storage and the storages cache the same way (django/test/signals.py).
    if setting == "STORAGES":
        solutions_storage_proxy._wrapped = empty


def s3_clients_ready_to_fork() -> None:
    """Build the S3 client of both storages in this process, then close their connections: processes forked from
    it (a Celery worker's pool) start with the clients built and share no socket.

    Building one is botocore reading its service models, about a second under load, which each pool process would
    otherwise spend in its first task. A closed client stays usable: its next request opens a new connection.
    """
    for storage in (default_storage, solutions_storage_proxy):
        if isinstance(storage, S3Storage):  # a LazyObject answers for the storage it wraps
            storage.connection.meta.client.close()


def delete_older_than(folder: str, seconds: int) -> None:
    """Remove the files directly in `folder` of the default storage last written over `seconds` ago: the bytes of
    uploads whose signed ticket has expired (the client stopped before the last step), which nothing can use."""
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    expired_before = timezone.now() - dt.timedelta(seconds=seconds)
    for name in names:
        path = f"{folder}/{name}"
        with contextlib.suppress(FileNotFoundError):
            if default_storage.get_modified_time(path) < expired_before:
                default_storage.delete(path)


def signed_download_url(field_file: FieldFile, *, filename: str) -> str | None:
    """A signed address of the file that expires after HUB_DOWNLOAD_URL_SECONDS, or None when the hub must stream
    the file itself (local disk). The bucket sends the bytes, with Range, and saves it under `filename`."""
    if not isinstance(field_file.storage, S3Storage):
        return None
    return field_file.storage.url(
        field_file.name,
        parameters={"ResponseContentDisposition": content_disposition_header(True, filename)},
        expire=settings.HUB_DOWNLOAD_URL_SECONDS,
    )


@contextmanager
def local_copy(field_file: FieldFile, *, sha256: str | None = None) -> Iterator[Path]:
    """A path on this machine holding the file's bytes, for code that reads paths (the scoring engine).

    A file on local disk is used where it is. A remote one is downloaded: with `sha256` (a solution, read for every
    submission of its challenge) into a cache keyed by the checksum, so each machine downloads it once and a
    changed solution gets a new entry; without it (a submission, read once) into a temporary file that is removed
    on leaving the block. A download whose checksum differs from `sha256` raises ChecksumMismatch.
    """
    local_path = _local_path(field_file)
    if local_path is not None:
        yield local_path
        return
    if sha256 is not None:
        yield _cached_copy(field_file, sha256)
        return
    suffix = PurePosixPath(field_file.name).suffix
    with tempfile.NamedTemporaryFile(prefix="hub-download-", suffix=suffix) as temporary:
        _download(field_file, temporary)
        temporary.flush()
        yield Path(temporary.name)


def _local_path(field_file: FieldFile) -> Path | None:
    try:
        return Path(field_file.storage.path(field_file.name))
    except NotImplementedError:  # Django's answer for storages without local paths (S3)
        return None


def solution_cache_dir() -> Path:
    # Apart from CACHES' folder, so that clearing one never touches the other.
    return Path(settings.VAR_DIR) / "solution-cache"


def _cached_copy(field_file: FieldFile, sha256: str) -> Path:
    target = solution_cache_dir() / sha256 / PurePosixPath(field_file.name).name
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed into place: workers on one machine may fetch the same file at once,
    # and none of them may read a half-written copy.
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".partial-", delete=False) as partial:
        try:
            digest = _download(field_file, partial)
        except BaseException:
            os.unlink(partial.name)
            raise
    if digest != sha256:
        os.unlink(partial.name)
        raise ChecksumMismatch(
            f"{field_file.name} was downloaded with sha256 {digest}, not the recorded {sha256}."
        )
    os.replace(partial.name, target)
    return target


def _download(field_file: FieldFile, target) -> str:
    """Copy the stored file into the open binary `target`; returns its sha256."""
    digest = hashlib.sha256()
    # storage.open, not field_file.open: the FieldFile would keep the handle and its position.
    with field_file.storage.open(field_file.name, "rb") as source:
        while chunk := source.read(COPY_CHUNK_BYTES):
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()
