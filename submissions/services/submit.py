"""Creating a submission, with the one rule for "may this learner submit now?".

The rule (submission_check_allowed) is used by the pages, the REST API and every compatibility layer; its counting
is one selector (selectors.submission_limits), so a change of limits (per team, say) is made in one place.
"""

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.services.email_address import email_is_verified
from projects.models import Challenge
from projects.selectors import challenge_end_for, challenge_status, limit_override_of
from workers.scoring import SubmissionRejected, sniff
from workers.scoring.archives import HEAD_BYTES
from workers.scoring.sizes import too_large_message

from ..errors import Reason, SubmissionRefused
from ..models import Submission
from ..selectors import submission_limits
from .locks import participant_lock
from .scoring import enqueue_scoring


def submission_check_allowed(
    *, challenge: Challenge, user: AbstractBaseUser, size: int | None = None, now: dt.datetime | None = None
) -> None:
    """The one rule for whether a learner may submit now, used by the pages, the API and every client.

    Race-free only under participant_lock, as submission_create calls it; elsewhere it answers "may I now?".
    """
    if not user.is_authenticated:
        raise SubmissionRefused(Reason.NOT_AUTHENTICATED, "Sign in to submit.")
    if settings.HUB_REQUIRE_VERIFIED_EMAIL and not user.is_superuser and not email_is_verified(user):
        # Here, not only in accounts' middleware, so that every protocol (Kaggle's Basic auth too) meets it.
        raise SubmissionRefused(
            Reason.EMAIL_NOT_VERIFIED,
            "Verify your e-mail address first: this hub asks for one before you submit. "
            "Add it at /accounts/email/ and follow the link we send.",
        )
    status = challenge_status(challenge)
    if status == "upcoming":
        raise SubmissionRefused(
            Reason.NOT_OPEN,
            f"{challenge.title} opens on {challenge.start_at:%Y-%m-%d %H:%M} UTC; submit after that.",
        )
    if status == "ended" and not _deadline_extended(challenge, user, now):
        raise SubmissionRefused(
            Reason.ENDED,
            f"{challenge.title} ended on {challenge.end_at:%Y-%m-%d %H:%M} UTC; it takes no more submissions.",
        )
    if size is not None:
        if size == 0:
            raise SubmissionRefused(
                Reason.EMPTY_FILE, "The file is empty. Upload a CSV with a header and one row per test id."
            )
        if size > challenge.max_upload_bytes:
            raise SubmissionRefused(Reason.TOO_LARGE, too_large_message(challenge.max_upload_bytes, size))
    limits = submission_limits(challenge=challenge, user=user, now=now)
    if limits.total_limit is not None and limits.used_total >= limits.total_limit:
        raise SubmissionRefused(
            Reason.TOTAL_LIMIT,
            f"You have used all {limits.total_limit} submissions allowed in {challenge.title}.",
        )
    if limits.used_today >= limits.daily_limit:
        raise SubmissionRefused(
            Reason.DAILY_LIMIT,
            f"You have used your {limits.daily_limit} submissions for today. "
            f"The count resets at 00:00 UTC ({limits.resets_at:%Y-%m-%d %H:%M} UTC). Failed submissions do not count.",
        )


def _sha256_of(file: File) -> str:
    file.seek(0)
    digest = hashlib.file_digest(file, "sha256").hexdigest()
    file.seek(0)
    return digest


def _deadline_extended(challenge: Challenge, user: AbstractBaseUser, now: dt.datetime | None) -> bool:
    """A host gave this learner, or their team, a later deadline of their own (projects.LimitOverride.end_at)."""
    end = challenge_end_for(challenge, limit_override_of(challenge=challenge, user=user))
    return end is not None and end > (now or timezone.now())


def submission_create(
    *,
    user: AbstractBaseUser,
    challenge: Challenge,
    file: File,
    description: str = "",
    is_baseline: bool = False,
) -> Submission:
    """Store the file, create the row (status queued), and enqueue scoring once the row is committed.

    The row is the truth and the queue a hint: if the broker is down the upload still succeeds, and the sweeper
    enqueues the submission later.
    """
    submission = Submission(
        uuid=uuid.uuid4(),
        challenge=challenge,
        user=user,
        original_name=_display_name(getattr(file, "name", "") or "submission.csv"),
        size=file.size,
        sha256=_sha256_of(file),
        description=description.strip(),
        is_baseline=is_baseline,
    )
    try:
        with transaction.atomic():
            submission.participant = participant_lock(challenge=challenge, user=user)
            # Stamped after the lock, so the day it counts in is the day its limit was checked on.
            submission.created_at = timezone.now()
            if not is_baseline:
                submission_check_allowed(
                    challenge=challenge, user=user, size=file.size, now=submission.created_at
                )
                _check_looks_like_csv(file)
            submission.file.save("submission.csv", file, save=False)
            submission.save()
            transaction.on_commit(lambda: enqueue_scoring(submission.pk))
    except BaseException:
        if submission.file.name:
            default_storage.delete(submission.file.name)
        raise
    return submission


def _check_looks_like_csv(file: File) -> None:
    """A PDF, an image or other binary is refused at upload, with the reason, rather than failing in the queue:
    the engine's own sniffing, on the first bytes."""
    head = file.read(HEAD_BYTES)
    file.seek(0)
    try:
        sniff(head)
    except SubmissionRejected as error:
        raise SubmissionRefused(Reason.NOT_CSV, error.message) from None


def _display_name(name: str) -> str:
    """Only the base name, without control characters: the client's path is never used for anything else."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "submission.csv"
