"""Writes of hosts: the host role, co-hosts, creating a challenge (from a bundle, labelled data or a form),
editing, publishing, the invite code, the allowed e-mail list and the limit overrides.

Who may call these is decided before: projects.selectors.challenge_get_hosted resolves a challenge for its
hosts only (404 to whoever cannot see it, 403 to a learner), and user_is_host says who may create one.
"""

import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.files import File
from django.db import transaction

from submissions.models import Participant
from workers.scoring.sizes import human_bytes

from .bundles import BundleError
from .challenge_form import FormSpec, Upload, bundle_from_form
from .labelled import LabelledSpec, bundle_from_labelled
from .models import AllowedEmail, Challenge, LimitOverride, Visibility
from .selectors import HostOnly, hosted_challenge_ids_forget, user_is_host
from .services import challenge_import_bundle, new_invite_code

HOSTS_GROUP = "Hosts"


class HostingError(Exception):
    """A host's request that cannot be done as asked; the message says what to change (400 in every protocol)."""


def hosts_group() -> Group:
    """The group that carries the host permission: granting the role is adding a user to it."""
    group, _ = Group.objects.get_or_create(name=HOSTS_GROUP)
    permission = Permission.objects.get(content_type__app_label="projects", codename="host_challenges")
    group.permissions.add(permission)
    return group


@transaction.atomic
def host_grant(*, user: AbstractBaseUser, revoke: bool = False) -> None:
    """Make a user a host (they may create challenges and manage the ones they host), or stop it. Revoking
    leaves them host of the challenges they already run: a co-host removes them there."""
    group = hosts_group()
    if revoke:
        user.groups.remove(group)
        user.user_permissions.remove(*group.permissions.all())
    else:
        user.groups.add(group)


def _check_upload_size(upload: File, *, key: str | None = None) -> None:
    """An upload past HUB_MAX_BUNDLE_UPLOAD_BYTES arrives without its bytes (hub/uploads.py): say so."""
    if upload.size > settings.HUB_MAX_BUNDLE_UPLOAD_BYTES:
        raise BundleError(
            f"The upload is {human_bytes(upload.size)}; at most "
            f"{human_bytes(settings.HUB_MAX_BUNDLE_UPLOAD_BYTES)} are taken.",
            key=key,
        )


def _check_zip(path: Path) -> None:
    """A bundle upload is a zip whose unpacked size stays within HUB_MAX_BUNDLE_BYTES (no zip bombs)."""
    if not zipfile.is_zipfile(path):
        raise BundleError("The bundle must be a .zip of a folder holding challenge.yaml.")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
    if len(members) > settings.HUB_MAX_BUNDLE_FILES:
        raise BundleError(
            f"The bundle holds {len(members)} files; at most {settings.HUB_MAX_BUNDLE_FILES} are taken."
        )
    if unpacked > settings.HUB_MAX_BUNDLE_BYTES:
        raise BundleError(
            f"The bundle unpacks to {human_bytes(unpacked)}; at most "
            f"{human_bytes(settings.HUB_MAX_BUNDLE_BYTES)} are taken."
        )


def challenge_create_from_upload(*, host: AbstractBaseUser, upload: File) -> Challenge:
    """A host's bundle zip (the format of import_challenge) becomes a draft they host. The solution is checked
    by the engine on the way in; any BundleError leaves nothing behind (challenge_import_bundle)."""
    if not user_is_host(host):
        raise HostOnly(
            "Only hosts may create challenges. Ask the hub's admin to make you one "
            "(python manage.py grant_host USERNAME)."
        )
    _check_upload_size(upload)
    with tempfile.NamedTemporaryFile(suffix=".zip") as spool:
        for chunk in upload.chunks():
            spool.write(chunk)
        spool.flush()
        path = Path(spool.name)
        _check_zip(path)
        return challenge_import_bundle(path, host=host).challenge


def challenge_create_from_labelled(*, host: AbstractBaseUser, upload: File, spec: LabelledSpec) -> Challenge:
    """A labelled CSV, or a zip of one with its images, becomes a draft this host hosts: a stratified, seeded
    hold-out, the files, the hidden solution and a baseline (projects/labelled.py), imported as any bundle."""
    if not user_is_host(host):
        raise HostOnly("Only hosts may create challenges. Ask the hub's admin to make you one.")
    _check_upload_size(upload)
    with tempfile.TemporaryDirectory(prefix="labelled-") as scratch:
        source = Path(scratch) / "upload"
        with source.open("wb") as spool:
            for chunk in upload.chunks():
                spool.write(chunk)
        if zipfile.is_zipfile(source):
            _check_zip(source)
        folder = bundle_from_labelled(source=source, dest=Path(scratch) / "bundle", spec=spec)
        return challenge_import_bundle(folder, host=host).challenge


def challenge_create_from_form(
    *, host: AbstractBaseUser, spec: FormSpec, public_files: dict[str, Upload], solution: Upload
) -> Challenge:
    """A host's form (texts, scoring settings, dates, limits) and uploads become a draft they host. The form is
    written as a bundle and imported as any bundle is, so the solution gets the engine's own check and a
    BundleError (its `key` names the field at fault) leaves no row and no stored file behind."""
    if not user_is_host(host):
        raise HostOnly("Only hosts may create challenges. Ask the hub's admin to make you one.")
    for key, upload in [*public_files.items(), ("solution", solution)]:
        _check_upload_size(upload, key=key)
    with tempfile.TemporaryDirectory(prefix="form-") as scratch:
        folder = bundle_from_form(
            spec=spec, public_files=public_files, solution=solution, dest=Path(scratch) / "bundle"
        )
        return challenge_import_bundle(folder, host=host).challenge


EDITABLE_FIELDS = (
    "title",
    "level",
    "summary",
    "description",
    "evaluation",
    "start_at",
    "end_at",
    "daily_limit",
    "total_limit",
    "visibility",
)


@transaction.atomic
def challenge_update(*, challenge: Challenge, **values) -> Challenge:
    """Change a challenge's texts, dates, limits or visibility; values were validated by the caller's form."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(challenge, name, value)
    if challenge.visibility == Visibility.PRIVATE and not challenge.invite_code:
        challenge.invite_code = new_invite_code()
        values["invite_code"] = challenge.invite_code
    if values:
        challenge.save(update_fields=[*values, "updated_at"])
    return challenge


def challenge_publish(*, challenge: Challenge) -> Challenge:
    """A draft becomes visible to those its visibility admits. Publishing twice changes nothing."""
    if not challenge.is_published:
        challenge.is_published = True
        challenge.save(update_fields=["is_published", "updated_at"])
    return challenge


def challenge_invite_rotate(*, challenge: Challenge) -> str:
    """A new invite code: the old link stops admitting anyone; learners already admitted stay."""
    challenge.invite_code = new_invite_code()
    challenge.save(update_fields=["invite_code", "updated_at"])
    return challenge.invite_code


def normalized_addresses(addresses: list[str]) -> list[str]:
    """Lower-cased, de-duplicated; each an address (ada@example.org) or a domain (@example.org)."""
    cleaned = []
    for raw in addresses:
        address = raw.strip().lower()
        if not address:
            continue
        local, at, domain = address.rpartition("@")
        if not at or "." not in domain or " " in address or local.count("@"):
            raise HostingError(
                f"'{raw}' is neither an e-mail address (ada@example.org) nor a domain (@example.org)."
            )
        if address not in cleaned:
            cleaned.append(address)
    return cleaned


@transaction.atomic
def challenge_allowed_emails_set(*, challenge: Challenge, addresses: list[str]) -> list[str]:
    """Replace the list of addresses and domains whose learners may join without the invite code."""
    cleaned = normalized_addresses(addresses)
    challenge.allowed_emails.exclude(address__in=cleaned).delete()
    existing = set(challenge.allowed_emails.values_list("address", flat=True))
    AllowedEmail.objects.bulk_create(
        [AllowedEmail(challenge=challenge, address=address) for address in cleaned if address not in existing]
    )
    return cleaned


def challenge_host_add(*, challenge: Challenge, username: str) -> AbstractBaseUser:
    """A co-host: any active user (a teaching assistant need not create challenges of their own)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise HostingError(f"There is no active user '{username}'. Check the spelling of the username.")
    challenge.hosts.add(user)
    hosted_challenge_ids_forget(user)
    return user


def _override_target(challenge: Challenge, *, username: str | None, team: str | None) -> dict:
    """The learner (by username) or the team (by its name in this challenge) an override is for, as the
    LimitOverride field that names it. Exactly one of the two."""
    if bool(username) == bool(team):
        raise HostingError("Name either a learner (username) or a team (its name), not both and not neither.")
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise HostingError(f"There is no user '{username}'. Check the spelling of the username.")
        return {"user": user, "participant": None}
    participant = (
        Participant.objects.filter(challenge=challenge, name__iexact=team.strip()).exclude(name="").first()
    )
    if participant is None:
        raise HostingError(
            f"{challenge.title} has no team '{team}'. Check its name on the roster; a learner on their own "
            "is named by their username."
        )
    return {"user": None, "participant": participant}


def _override_label(target: dict) -> str:
    return target["user"].username if target["user"] else f"team {target['participant'].name}"


def _check_override_deadline(challenge: Challenge, target: dict, end_at) -> None:
    if end_at is not None and end_at <= challenge.start_at:
        raise HostingError(f"The deadline of {_override_label(target)} must be after the challenge's start.")


@transaction.atomic
def challenge_limit_overrides_set(*, challenge: Challenge, overrides: list[dict]) -> list[LimitOverride]:
    """Replace the challenge's per-learner and per-team limits and deadlines with `overrides` (each: a username
    or a team, and any of daily_limit, total_limit, end_at, note). Anyone left out gets the challenge's again."""
    rows = []
    for entry in overrides:
        target = _override_target(challenge, username=entry.get("username"), team=entry.get("team"))
        _check_override_deadline(challenge, target, entry.get("end_at"))
        rows.append(
            LimitOverride(
                challenge=challenge,
                **target,
                daily_limit=entry.get("daily_limit"),
                total_limit=entry.get("total_limit"),
                end_at=entry.get("end_at"),
                note=entry.get("note", ""),
            )
        )
    labels = [_override_label({"user": row.user, "participant": row.participant}) for row in rows]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise HostingError(f"{repeated[0]} is listed twice: give one entry per learner or team.")
    challenge.limit_overrides.all().delete()
    return LimitOverride.objects.bulk_create(rows)


@transaction.atomic
def challenge_limit_override_put(
    *,
    challenge: Challenge,
    username: str | None = None,
    team: str | None = None,
    daily_limit: int | None = None,
    total_limit: int | None = None,
    end_at=None,
    note: str = "",
) -> LimitOverride | None:
    """Set one learner's, or one team's, own limits and deadline (all empty: they get the challenge's again,
    and None)."""
    target = _override_target(challenge, username=username, team=team)
    _check_override_deadline(challenge, target, end_at)
    if daily_limit is None and total_limit is None and end_at is None:
        challenge.limit_overrides.filter(**target).delete()
        return None
    override, _ = LimitOverride.objects.update_or_create(
        challenge=challenge,
        **target,
        defaults={"daily_limit": daily_limit, "total_limit": total_limit, "end_at": end_at, "note": note},
    )
    return override
