"""Writes of challenges and datasets: importing a bundle (all or nothing), revealing the private board."""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from hub.storage import solutions_storage
from learning.services.tracks import track_placements_sync
from submissions.models import Submission
from submissions.services.scoring import submissions_rescore
from submissions.services.submit import submission_create

from .bundles import DEFAULT_FEATURED_ORDER, Bundle, BundleError, BundleFile, opened_bundle
from .dataset_services import dataset_version_pin_data_files, licence_from_text
from .models import Blob, Challenge, DataFile, Dataset, Solution
from .previews import PreviewMaker
from .selectors import hosted_challenge_ids_forget

logger = logging.getLogger(__name__)

BASELINE_USERNAME = "baseline"


@dataclass(frozen=True)
class ImportResult:
    challenge: Challenge
    created: bool
    solution_changed: bool
    rescored: int
    # Stored files of an unchanged bundle that storage had lost or damaged, written again from the bundle.
    restored: tuple[str, ...] = ()


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def challenge_import_bundle(path: str | Path, *, host: AbstractBaseUser | None = None) -> ImportResult:
    """Create or update a challenge from a bundle folder or zip. All or nothing: on any error the database is
    unchanged and the files this import wrote are removed. A changed solution rescores existing submissions.

    With a `host` (a host creating a challenge in the web or the API), the bundle may only create: a new draft
    that this host hosts, on a dataset of its own. A slug in use is a BundleError, never an update of a
    challenge or a dataset someone else runs.

    Files the bundle has not changed are checked in storage (present, same sha256) and written again when they
    are not, so importing a bundle again repairs a storage that lost its files."""
    with opened_bundle(path) as bundle:
        written: list[tuple[Storage, str]] = []
        try:
            with transaction.atomic():
                return _import(bundle, written, host)
        except BaseException:
            for storage, name in written:
                storage.delete(name)
            raise


def _store(
    path: Path, name: str, sha256: str, written: list[tuple[Storage, str]], storage: Storage = default_storage
) -> str:
    """Files are stored under their checksum, so a re-import never overwrites a file still in use. A file already
    under that name is used only if it still has that checksum; a damaged one is replaced (and then not removed
    if this import fails: other rows may name it)."""
    storage_name = f"{name}/{sha256[:16]}/{path.name}"
    found = _stored_sha256(storage, storage_name)
    if found == sha256:
        return storage_name
    if found is not None or storage.exists(storage_name):
        storage.delete(storage_name)
        return _write(storage, storage_name, path)
    storage_name = _write(storage, storage_name, path)
    written.append((storage, storage_name))
    return storage_name


def _write(storage: Storage, name: str, path: Path) -> str:
    with path.open("rb") as handle:
        return storage.save(name, File(handle))


def _stored_sha256(storage: Storage, name: str) -> str | None:
    """The sha256 of a stored file, or None if storage has no readable file under that name."""
    try:
        with storage.open(name, "rb") as stored:
            return hashlib.file_digest(stored, "sha256").hexdigest()
    except OSError:  # FileNotFoundError, and a folder or an unreadable file in its place
        return None


def _import(bundle: Bundle, written: list[str], host: AbstractBaseUser | None = None) -> ImportResult:
    restored: list[str] = []
    if host is not None:
        _check_new_slugs(bundle)
        _check_site_wide_keys(bundle, host)
    dataset = _dataset_upsert(bundle)
    if bundle.files:
        previews = PreviewMaker(
            [f.path for f in bundle.files if f.kind == DataFile.Kind.TRAIN],
            id_column=bundle.id_column,
            target_column=bundle.target_column,
        )
        _data_files_sync(dataset, bundle.files, written, previews, restored)
    challenge, created = _challenge_upsert(
        bundle, dataset, dataset_version_pin_data_files(dataset=dataset), create_only=host is not None
    )
    if host is not None:
        challenge.is_published = False
        challenge.save(update_fields=["is_published", "updated_at"])
        challenge.hosts.add(host)
        hosted_challenge_ids_forget(host)
    solution_changed = _solution_sync(challenge, bundle.solution, written, restored)
    rescored = 0
    if solution_changed and not created:
        rescored = submissions_rescore(challenge=challenge)
    if bundle.baseline is not None:
        _baseline_sync(challenge, bundle.baseline)
    track_placements_sync(challenge=challenge, placements=bundle.tracks)
    return ImportResult(
        challenge=challenge,
        created=created,
        solution_changed=solution_changed,
        rescored=rescored,
        restored=tuple(restored),
    )


def _dataset_upsert(bundle: Bundle) -> Dataset:
    info = bundle.dataset
    # A bundle's dataset is the built-in host's: its reference is baseline/<slug>.
    dataset, created = Dataset.objects.get_or_create(
        owner=baseline_user(), slug=info.slug, defaults={"title": info.title or bundle.title}
    )
    licence_id, licence_text = licence_from_text(info.licence) if info.licence else ("", "")
    fields = {
        "title": info.title,
        "description": info.description,
        "source": info.source,
        "licence_id": licence_id,
        "licence": licence_text,
    }
    # An empty text keeps what the host may have typed in the admin; the synthetic flag always follows the bundle.
    changed = [name for name, value in fields.items() if value and getattr(dataset, name) != value]
    fields["is_synthetic"] = info.synthetic
    if dataset.is_synthetic != info.synthetic:
        changed.append("is_synthetic")
    for name in changed:
        setattr(dataset, name, fields[name])
    if changed:
        dataset.save(update_fields=[*changed, "updated_at"])
    return dataset


def _data_files_sync(
    dataset: Dataset,
    files: list[BundleFile],
    written: list[tuple[Storage, str]],
    previews: PreviewMaker,
    restored: list[str],
) -> None:
    """A bundle that lists files owns the dataset's file list: listed files are added or updated, others removed.

    Previews are computed here, once per file version; an unchanged file that has none yet (imported before
    previews existed) gets one, so importing the bundle again fills them in.
    """
    existing = {f.name: f for f in dataset.files.all()}
    for position, item in enumerate(files):
        sha256 = file_sha256(item.path)
        current = existing.pop(item.name, None)
        if current is not None and current.sha256 == sha256:
            if _restore_if_damaged(current.file, item.path, sha256):
                restored.append(current.file.name)
                DataFile.objects.filter(pk=current.pk).update(file=current.file.name)
            if (current.kind, current.description, current.position) != (
                item.kind,
                item.description,
                position,
            ) or not current.preview:
                current.kind, current.description, current.position = item.kind, item.description, position
                current.preview = current.preview or previews.preview(item.path, kind=item.kind)
                current.save(update_fields=["kind", "description", "position", "preview"])
            continue
        storage_name = _store(item.path, f"datasets/{dataset.slug}", sha256, written)
        values = {
            "kind": item.kind,
            "description": item.description,
            "size": item.path.stat().st_size,
            "sha256": sha256,
            "position": position,
            "updated_at": timezone.now(),
            "preview": previews.preview(item.path, kind=item.kind),
        }
        if current is None:
            DataFile.objects.create(dataset=dataset, name=item.name, file=storage_name, **values)
        else:
            _delete_file_on_commit(current.file)
            DataFile.objects.filter(pk=current.pk).update(file=storage_name, **values)
    for stale in existing.values():
        _delete_file_on_commit(stale.file)
        stale.delete()


def _restore_if_damaged(field_file: FieldFile, path: Path, sha256: str) -> bool:
    """Write the bundle's file again if storage no longer holds it with this sha256 (a bucket or disk that lost
    or damaged it); `field_file.name` is then the restored file's name. Returns whether it was restored.

    Not recorded as written by this import: if the import fails later, the row still names this file, which
    must stay."""
    storage, name = field_file.storage, field_file.name
    found = _stored_sha256(storage, name)
    if found == sha256:
        return False
    if storage.exists(name):
        storage.delete(name)
    field_file.name = _write(storage, name, path)
    state = "missing or unreadable" if found is None else f"damaged (sha256 {found})"
    logger.warning("Restored %s from the bundle: it was %s in storage", name, state)
    return True


def _delete_file_on_commit(field_file: FieldFile) -> None:
    """Delete a replaced file once the import is committed, unless a dataset version's blob still names it: the
    versions a challenge no longer serves keep their bytes."""
    storage, name = field_file.storage, field_file.name

    def delete() -> None:
        if not Blob.objects.filter(file=name).exists():
            storage.delete(name)

    transaction.on_commit(delete)


CHALLENGE_FIELDS = (
    "title",
    "level",
    "summary",
    "description",
    "evaluation",
    "metric",
    "extra_metrics",
    "id_column",
    "target_column",
    "solution_id_column",
    "solution_target_column",
    "allowed_labels",
    "positive_label",
    "metric_k",
    "extra_formats",
    "end_at",
    "daily_limit",
    "total_limit",
    "max_upload_bytes",
    "insight_enabled",
    "featured_order",
)


def _challenge_upsert(
    bundle: Bundle, dataset: Dataset, version, *, create_only: bool = False
) -> tuple[Challenge, bool]:
    """`create_only` (a host's import): a challenge another import made under this slug since _check_new_slugs
    looked is a BundleError, never updated (the check holds no lock; the unique slug decides)."""
    values = {name: getattr(bundle, name) for name in CHALLENGE_FIELDS}
    values["dataset"] = dataset
    values["dataset_version"] = version
    values["starter_kit"] = bundle.starter_kit.read_text(encoding="utf-8") if bundle.starter_kit else ""
    if bundle.start_at is not None:
        values["start_at"] = bundle.start_at
    if bundle.visibility is not None:
        values["visibility"] = bundle.visibility
    if create_only:
        try:
            with transaction.atomic():
                return Challenge.objects.create(
                    slug=bundle.slug, **values, invite_code=new_invite_code()
                ), True
        except IntegrityError:
            raise BundleError(
                f"A challenge with the slug '{bundle.slug}' exists: change `slug` in challenge.yaml."
            ) from None
    challenge, created = Challenge.objects.update_or_create(
        slug=bundle.slug, defaults=values, create_defaults={**values, "invite_code": new_invite_code()}
    )
    return challenge, created


def new_invite_code() -> str:
    """Long enough that guessing one is hopeless, short enough to read out in a class."""
    return secrets.token_urlsafe(12)


def _check_new_slugs(bundle: Bundle) -> None:
    """What a host's bundle may not do that an admin's may: take a slug in use, or let learners upload more
    than HUB_HOST_MAX_UPLOAD_BYTES a file (the hub's disk is the admin's to spend)."""
    if bundle.max_upload_bytes > settings.HUB_HOST_MAX_UPLOAD_BYTES:
        limit = settings.HUB_HOST_MAX_UPLOAD_BYTES / (1024 * 1024)
        raise BundleError(
            f"max_upload_mb is {bundle.max_upload_bytes / (1024 * 1024):g}; a host's challenge takes files of at "
            f"most {limit:g} MB. Lower it in challenge.yaml, or ask the hub's admin to import the bundle.",
            key="max_upload_mb",
        )
    if Challenge.objects.filter(slug=bundle.slug).exists():
        raise BundleError(
            f"The slug '{bundle.slug}' is taken by another challenge: change `slug` in challenge.yaml.",
            key="slug",
        )
    if Dataset.objects.filter(slug=bundle.dataset.slug).exists():
        raise BundleError(
            f"The dataset slug '{bundle.dataset.slug}' is taken: change `dataset.slug` in challenge.yaml.",
            key="slug",
        )


def _check_site_wide_keys(bundle: Bundle, host: AbstractBaseUser) -> None:
    """`tracks` rewrite the hub's learning paths and `featured_order` orders its home page: the admin's to set
    (import_challenge, the admin site), not a host's bundle's. Refused, not ignored, so the host knows."""
    if host.is_superuser:
        return
    if bundle.tracks:
        raise BundleError(
            "challenge.yaml has `tracks`: learning tracks are the hub's, so only its admin may place a challenge "
            "on one. Remove `tracks`, and ask the admin to add the challenge to a track."
        )
    if bundle.featured_order != DEFAULT_FEATURED_ORDER:
        raise BundleError(
            f"challenge.yaml has `featured_order: {bundle.featured_order}`: the order of the hub's home page is "
            "its admin's to set. Remove `featured_order`."
        )


def _solution_sync(
    challenge: Challenge, path: Path, written: list[tuple[Storage, str]], restored: list[str]
) -> bool:
    sha256 = file_sha256(path)
    current = Solution.objects.filter(challenge=challenge).first()
    if current is not None and current.sha256 == sha256:
        if _restore_if_damaged(current.file, path, sha256):
            restored.append(current.file.name)
            Solution.objects.filter(pk=current.pk).update(file=current.file.name)
        return False
    rows, public_rows = _count_usage(path)
    storage_name = _store(path, f"solutions/{challenge.slug}", sha256, written, solutions_storage())
    values = {
        "file": storage_name,
        "sha256": sha256,
        "rows": rows,
        "public_rows": public_rows,
        "updated_at": timezone.now(),
    }
    if current is None:
        Solution.objects.create(challenge=challenge, **values)
    else:
        _delete_file_on_commit(current.file)
        Solution.objects.filter(pk=current.pk).update(**values)
    return True


def _count_usage(path: Path) -> tuple[int, int]:
    usage = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    usage.columns = [c.strip() for c in usage.columns]
    if "Usage" not in usage.columns:
        return len(usage), len(usage)
    return len(usage), int((usage["Usage"].str.strip().str.lower() == "public").sum())


def baseline_user():
    user, created = get_user_model().objects.get_or_create(
        username=BASELINE_USERNAME, defaults={"first_name": "Baseline", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _baseline_sync(challenge: Challenge, path: Path) -> None:
    """The starter kit's output, scored like any submission and shown as a marked row on the board."""
    sha256 = file_sha256(path)
    current = Submission.objects.filter(challenge=challenge, is_baseline=True)
    if current.filter(sha256=sha256).exists():
        return
    for old in current:
        _delete_file_on_commit(old.file)
    current.delete()
    with path.open("rb") as handle:
        submission_create(
            user=baseline_user(),
            challenge=challenge,
            file=File(handle, name=path.name),
            description="Starter kit baseline",
            is_baseline=True,
        )


def challenge_reveal_private(*, challenge: Challenge) -> None:
    from community.services.notifications import private_board_revealed

    if challenge.private_revealed:
        return
    with transaction.atomic():
        challenge.private_revealed = True
        challenge.save(update_fields=["private_revealed", "updated_at"])
        private_board_revealed(challenge)
