"""Writes of published datasets: creating one, new versions, metadata, reports; the blobs their files share.

Every upload is checked whole (names, the per-file limit, the owner's quota) before a byte is stored, and the
blobs a failed write stored are removed again, so a refusal or an error leaves nothing behind. Bytes are stored
once per sha256: a file unchanged between versions, or uploaded twice, adds nothing to storage.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.text import slugify

from workers.scoring.sizes import human_bytes

from .errors import DatasetExists, DatasetFileTooLarge, DatasetForbidden, DatasetInvalid, DatasetQuotaExceeded
from .models import Blob, DataFile, Dataset, DatasetFile, DatasetReport, DatasetVersion, Licence, Tag

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
MAX_TAGS = 10
MAX_FILES_PER_VERSION = 200
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class Upload(Protocol):
    """What Django's UploadedFile and File offer: a name, a size and chunks."""

    name: str
    size: int

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...

    def seek(self, offset: int) -> int: ...


@dataclass(frozen=True)
class _Checked:
    name: str
    upload: Upload
    size: int
    sha256: str


def file_kind_for(name: str) -> str:
    """The kind a page shows for a published file, told from its name as Kaggle's conventions name them."""
    lower = name.lower()
    if lower.startswith("sample_submission"):
        return DataFile.Kind.SAMPLE_SUBMISSION
    if lower.startswith("train"):
        return DataFile.Kind.TRAIN
    if lower.startswith("test"):
        return DataFile.Kind.TEST
    if lower.endswith(".zip"):
        return DataFile.Kind.IMAGES
    return DataFile.Kind.OTHER


def licence_from_text(text: str) -> tuple[str, str]:
    """(licence_id, licence text) for a bundle's free-text licence: an SPDX id when the text names one exactly."""
    compact = re.sub(r"[\s_:]+", "-", text.strip()).upper()
    for licence in Licence:
        if licence != Licence.OTHER and (
            compact == licence.upper() or compact.startswith(licence.upper() + "-")
        ):
            return licence.value, text
    return Licence.OTHER.value, text


def quota_used(owner) -> int:
    """Bytes the owner's datasets hold: each distinct blob once, however many versions list it."""
    blobs = Blob.objects.filter(listings__version__dataset__owner=owner).values("pk").distinct()
    return Blob.objects.filter(pk__in=blobs).aggregate(total=Sum("size"))["total"] or 0


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or name in (".", "..") or _BAD_NAME.search(name) or len(name) > 255:
        raise DatasetInvalid(
            f"'{name[:80]}' is not a file name a dataset can hold: use a plain name of at most 255 characters, "
            "without folders (/ or \\) or control characters."
        )
    return name


def _digest(upload: Upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK_BYTES):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_uploads(uploads: Sequence[Upload]) -> list[_Checked]:
    limit = settings.HUB_DATASET_MAX_FILE_BYTES
    checked: dict[str, _Checked] = {}
    for upload in uploads:
        name = _check_name(upload.name)
        if name in checked:
            raise DatasetInvalid(f"Two uploaded files are named '{name}': a version holds one file per name.")
        if upload.size > limit:
            raise DatasetFileTooLarge(
                f"'{name}' is {human_bytes(upload.size)}; a dataset file may be at most {human_bytes(limit)}. "
                "Split it, or compress it with gzip or zip."
            )
        checked[name] = _Checked(name, upload, upload.size, _digest(upload))
    return list(checked.values())


def _check_quota(owner, listed_blob_ids: set[int], new: list[_Checked]) -> None:
    """The quota counts the owner's distinct blobs; uploads whose content the owner already holds count nothing."""
    held = set(
        Blob.objects.filter(listings__version__dataset__owner=owner)
        .values_list("sha256", flat=True)
        .distinct()
    )
    adding = {item.sha256: item.size for item in new if item.sha256 not in held}
    used = quota_used(owner)
    quota = settings.HUB_DATASET_QUOTA_BYTES
    if used + sum(adding.values()) > quota:
        raise DatasetQuotaExceeded(
            f"This upload needs {human_bytes(sum(adding.values()))} more; your datasets hold "
            f"{human_bytes(used)} of your {human_bytes(quota)} quota. Delete old data or upload less."
        )


def _blob_store(item: _Checked, written: list[str]) -> Blob:
    """The blob with this content, stored now if no blob has it yet; names stored here go into `written`."""
    existing = Blob.objects.filter(sha256=item.sha256).first()
    if existing is not None:
        return existing
    blob = Blob(sha256=item.sha256, size=item.size)
    item.upload.seek(0)
    blob.file.save(item.name, item.upload, save=False)
    written.append(blob.file.name)
    try:
        with transaction.atomic():
            blob.save()
    except IntegrityError:  # the same content stored at the same moment by another upload: use that one
        return Blob.objects.get(sha256=item.sha256)
    return blob


def _check_metadata(*, title: str | None, licence_id: str | None, visibility: str | None) -> None:
    if title is not None and not title.strip():
        raise DatasetInvalid("A dataset needs a title.")
    if licence_id is not None and licence_id not in Licence.values:
        raise DatasetInvalid(
            f"'{licence_id}' is not a licence the hub knows: use one of {', '.join(Licence.values)}."
        )
    if visibility is not None and visibility not in Dataset.Visibility.values:
        raise DatasetInvalid(f"'{visibility}' is not a visibility: use public or private.")


def _tags_of(names: Iterable[str]) -> list[Tag]:
    slugs = list(dict.fromkeys(slugify(name)[:50] for name in names if slugify(name)))
    if len(slugs) > MAX_TAGS:
        raise DatasetInvalid(f"A dataset takes at most {MAX_TAGS} tags; {len(slugs)} were given.")
    return [Tag.objects.get_or_create(name=slug)[0] for slug in slugs]


def _enqueue_finish(version: DatasetVersion) -> None:
    from workers.tasks import finish_dataset_version

    transaction.on_commit(lambda: finish_dataset_version.delay(version.pk))


def _removing_written_on_error(write):
    """Run `write(written)` in a transaction; on any error delete what it stored, so nothing is left behind."""
    written: list[str] = []
    try:
        with transaction.atomic():
            return write(written)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _version_write(
    dataset: DatasetVersion | Dataset,
    *,
    number: int,
    user,
    note: str,
    kept: dict[str, Blob],
    new: list[_Checked],
    written: list[str],
) -> DatasetVersion:
    version = DatasetVersion.objects.create(dataset=dataset, number=number, note=note[:1000], created_by=user)
    files = dict(kept)
    for item in new:
        files[item.name] = _blob_store(item, written)
    DatasetFile.objects.bulk_create(
        DatasetFile(version=version, name=name, kind=file_kind_for(name), blob=blob, position=position)
        for position, (name, blob) in enumerate(sorted(files.items()))
    )
    _enqueue_finish(version)
    return version


def dataset_create(
    *,
    owner,
    slug: str,
    title: str,
    licence_id: str,
    files: Sequence[Upload],
    licence_text: str = "",
    subtitle: str = "",
    description: str = "",
    source: str = "",
    tags: Iterable[str] = (),
    visibility: str = Dataset.Visibility.PUBLIC,
    note: str = "",
) -> Dataset:
    """A new dataset `owner/slug` with version 1 holding `files`."""
    if not slug or slugify(slug) != slug or len(slug) > 100:
        raise DatasetInvalid(
            f"'{slug[:100]}' is not a usable slug: use lower-case letters, digits and hyphens "
            f"(e.g. '{slugify(slug)[:100] or 'my-data'}')."
        )
    _check_metadata(title=title, licence_id=licence_id, visibility=visibility)
    if not files:
        raise DatasetInvalid("A dataset needs at least one file: send them in the field 'files'.")
    if len(files) > MAX_FILES_PER_VERSION:
        raise DatasetInvalid(f"A version holds at most {MAX_FILES_PER_VERSION} files.")
    if Dataset.objects.filter(owner=owner, slug=slug).exists():
        raise DatasetExists(
            f"You already have a dataset '{owner.username}/{slug}': publish a new version of it, or pick another slug."
        )
    checked = _check_uploads(files)
    _check_quota(owner, set(), checked)

    def write(written: list[str]) -> Dataset:
        try:
            with transaction.atomic():
                dataset = Dataset.objects.create(
                    owner=owner,
                    slug=slug,
                    title=title.strip()[:200],
                    subtitle=subtitle.strip()[:300],
                    description=description,
                    source=source.strip()[:500],
                    licence_id=licence_id,
                    licence=licence_text.strip()[:300],
                    visibility=visibility,
                )
        except IntegrityError:
            raise DatasetExists(f"You already have a dataset '{owner.username}/{slug}'.") from None
        dataset.tags.set(_tags_of(tags))
        _version_write(
            dataset, number=1, user=owner, note=note or "First version", kept={}, new=checked, written=written
        )
        return dataset

    return _removing_written_on_error(write)


def dataset_version_create(
    *, dataset: Dataset, user, files: Sequence[Upload] = (), note: str = "", remove: Iterable[str] = ()
) -> DatasetVersion:
    """Version N+1 of `dataset`: the latest version's files, minus `remove`, with `files` added or replacing
    those of the same name. Only the owner may publish one."""
    if dataset.owner_id != user.pk:
        raise DatasetForbidden("Only the dataset's owner can publish a new version of it.")
    checked = _check_uploads(files)
    removing = {name.strip() for name in remove if name and name.strip()}

    def write(written: list[str]) -> DatasetVersion:
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)  # one new number at a time
        latest = locked.versions.order_by("-number").first()
        kept = {f.name: f.blob for f in latest.files.select_related("blob")} if latest else {}
        unknown = sorted(removing - set(kept))
        if unknown:
            number = latest.number if latest else 0
            raise DatasetInvalid(f"Version {number} has no file named '{unknown[0]}' to remove.")
        for name in removing:
            kept.pop(name)
        if not kept and not checked:
            raise DatasetInvalid("A version needs at least one file: upload one, or remove fewer.")
        if len(set(kept) | {item.name for item in checked}) > MAX_FILES_PER_VERSION:
            raise DatasetInvalid(f"A version holds at most {MAX_FILES_PER_VERSION} files.")
        _check_quota(user, set(), checked)
        version = _version_write(
            locked,
            number=(latest.number if latest else 0) + 1,
            user=user,
            note=note or "",
            kept=kept,
            new=checked,
            written=written,
        )
        Dataset.objects.filter(pk=locked.pk).update(updated_at=version.created_at)
        return version

    return _removing_written_on_error(write)


def dataset_update(
    *,
    dataset: Dataset,
    user,
    title: str | None = None,
    subtitle: str | None = None,
    description: str | None = None,
    source: str | None = None,
    licence_id: str | None = None,
    licence_text: str | None = None,
    tags: Iterable[str] | None = None,
    visibility: str | None = None,
) -> Dataset:
    """Change the metadata (never the files: those change only by a new version). Owner only."""
    if dataset.owner_id != user.pk:
        raise DatasetForbidden("Only the dataset's owner can change it.")
    _check_metadata(title=title, licence_id=licence_id, visibility=visibility)
    values = {
        "title": title.strip()[:200] if title is not None else None,
        "subtitle": subtitle.strip()[:300] if subtitle is not None else None,
        "description": description,
        "source": source.strip()[:500] if source is not None else None,
        "licence_id": licence_id,
        "licence": licence_text.strip()[:300] if licence_text is not None else None,
        "visibility": visibility,
    }
    changed = [name for name, value in values.items() if value is not None]
    with transaction.atomic():
        for name in changed:
            setattr(dataset, name, values[name])
        dataset.save(update_fields=[*changed, "updated_at"])
        if tags is not None:
            dataset.tags.set(_tags_of(tags))
    return dataset


def dataset_report(*, dataset: Dataset, reporter, reason: str) -> DatasetReport:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DatasetInvalid("Say in a few words what is wrong with the dataset (at least 5 characters).")
    return DatasetReport.objects.create(dataset=dataset, reporter=reporter, reason=reason[:2000])


def dataset_version_count_download(*, version: DatasetVersion) -> None:
    DatasetVersion.objects.filter(pk=version.pk).update(download_count=F("download_count") + 1)


def dataset_version_pin_data_files(*, dataset: Dataset) -> DatasetVersion | None:
    """The version holding exactly the dataset's DataFiles (the files its challenges serve, as a bundle import
    left them): the latest version if it does, else a new one. The challenges built from the bundle pin it.

    The blobs of these files name the DataFiles' own stored files, so importing a bundle stores nothing twice
    (projects/services.py keeps a stored file while a blob names it)."""
    data_files = list(dataset.files.all())
    if not data_files:
        return dataset.versions.order_by("-number").first()
    wanted = {f.name: f.sha256 for f in data_files}
    latest = dataset.versions.order_by("-number").first()
    if latest is not None and {f.name: f.blob.sha256 for f in latest.files.select_related("blob")} == wanted:
        return latest
    version = DatasetVersion.objects.create(
        dataset=dataset,
        number=(latest.number if latest else 0) + 1,
        note="Imported from the challenge bundle" if latest is None else "Updated from the challenge bundle",
        created_by=dataset.owner,
    )
    listed = []
    for data_file in data_files:
        blob, _ = Blob.objects.get_or_create(
            sha256=data_file.sha256,
            defaults={"size": data_file.size, "file": data_file.file.name, "preview": data_file.preview},
        )
        if not blob.preview and data_file.preview:
            Blob.objects.filter(pk=blob.pk).update(preview=data_file.preview)
        listed.append(
            DatasetFile(
                version=version,
                name=data_file.name,
                kind=data_file.kind,
                blob=blob,
                position=data_file.position,
            )
        )
    DatasetFile.objects.bulk_create(listed)
    _enqueue_finish(version)
    return version
