"""Writes of submissions: create (with the one "may this learner submit now?" rule), rescore, final selection,
disqualification. Scoring itself is in scoring.py."""

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.services.email_address import email_is_verified
from hub.celery import app as celery_app
from hub.celery import broker_queue_length
from projects.models import Challenge
from projects.selectors import challenge_status
from workers.scoring import SubmissionRejected, sniff
from workers.scoring.archives import HEAD_BYTES
from workers.scoring.sizes import too_large_message

from .errors import Reason, SubmissionRefused
from .leaderboard import FINAL_SELECTION_MAX, leaderboard_refresh_participant
from .models import Participant, Submission, TeamMember
from .selectors import submission_limits
from .team_selectors import team_is_solo
from .team_services import team_lock, team_lock_by_id, team_lock_of_submission

logger = logging.getLogger(__name__)

SCORE_TASK = "submissions.score"


def participant_lock(*, challenge: Challenge, user: AbstractBaseUser | int) -> Participant:
    """The learner's team (a team of one, created now, if they are in none), locked until the transaction ends:
    the team's submissions are counted in turn, and its leaderboard entries are recomputed by one transaction at
    a time. `user` may be a user or its id. The lock order is team_services.team_lock's."""
    return team_lock(challenge=challenge, user=user)[0]


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
    if status == "ended":
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


def enqueue_scoring(submission_id: int) -> None:
    """Send the scoring task. A broker failure is logged, not raised: the sweeper sends it again later."""
    try:
        celery_app.send_task(
            SCORE_TASK,
            args=[submission_id],
            retry=True,
            retry_policy=settings.HUB_ENQUEUE_RETRY_POLICY,
        )
    except Exception:
        logger.warning(
            "Could not enqueue submission %s; the sweeper will retry", submission_id, exc_info=True
        )


def submissions_rescore(*, challenge: Challenge, submission_ids: Iterable[int] | None = None) -> int:
    """Put submissions back in the queue, e.g. after the solution changed. Returns how many were queued."""
    submissions = Submission.objects.filter(challenge=challenge)
    if submission_ids is not None:
        submissions = submissions.filter(pk__in=list(submission_ids))
    ids = list(submissions.exclude(status=Submission.Status.QUEUED).values_list("pk", flat=True))
    with transaction.atomic():
        Submission.objects.filter(pk__in=ids).update(
            status=Submission.Status.QUEUED,
            task_id="",
            attempts=0,
            started_at=None,
            lease_expires_at=None,
            finished_at=None,
            error="",
            internal_error="",
        )
        for submission_id in ids:
            transaction.on_commit(lambda submission_id=submission_id: enqueue_scoring(submission_id))
    return len(ids)


def submission_set_final(*, submission: Submission, user: AbstractBaseUser, is_final: bool) -> Submission:
    """Mark or unmark one of the team's submissions for the private leaderboard; any member may choose.

    At most FINAL_SELECTION_MAX a team at a time, only scored and not disqualified ones, and only while the
    challenge is open: after the end the private board is the result, and choosing again would change it.
    """
    challenge = submission.challenge
    with transaction.atomic():
        team = team_lock_of_submission(submission_id=submission.pk)
        if team is None or not TeamMember.objects.filter(participant=team, user_id=user.pk).exists():
            raise SubmissionRefused(
                Reason.NOT_OWNER,
                "Only the members of the team a submission counts for can select it as final.",
            )
        submission = Submission.objects.select_related("challenge").get(pk=submission.pk)
        if challenge_status(challenge) == "ended":
            raise SubmissionRefused(
                Reason.FINAL_SELECTION_CLOSED,
                f"{challenge.title} ended on {challenge.end_at:%Y-%m-%d %H:%M} UTC; final selections are closed "
                "and the private leaderboard uses the ones chosen before.",
            )
        if is_final and not submission.is_final:
            if submission.status != Submission.Status.SCORED:
                raise SubmissionRefused(
                    Reason.NOT_SCORED,
                    f"Submission {submission.pk} is {submission.status}; only scored submissions can be "
                    "selected as final. Wait for its score, or choose another.",
                )
            if submission.is_disqualified:
                raise SubmissionRefused(
                    Reason.DISQUALIFIED,
                    f"Submission {submission.pk} was disqualified by the host and cannot be selected as final.",
                )
            chosen = list(
                Submission.objects.filter(participant=team, is_final=True).values_list("pk", flat=True)
            )
            if len(chosen) >= FINAL_SELECTION_MAX:
                who = "You have" if team_is_solo(team) else "Your team has"
                raise SubmissionRefused(
                    Reason.FINAL_LIMIT,
                    f"{who} already selected {FINAL_SELECTION_MAX} final submissions "
                    f"({', '.join(map(str, sorted(chosen)))}). Unselect one first.",
                )
        if submission.is_final != is_final:
            submission.is_final = is_final
            submission.save(update_fields=["is_final"])
            leaderboard_refresh_participant(challenge=challenge, participant_id=team.pk)
    return submission


def submission_set_disqualified(*, submission: Submission, disqualified: bool = True) -> None:
    """Hide a submission from the boards (or show it again); the team's next best takes its place."""
    with transaction.atomic():
        team = team_lock_of_submission(submission_id=submission.pk)
        submission.is_disqualified = disqualified
        submission.save(update_fields=["is_disqualified"])
        if team is not None:
            leaderboard_refresh_participant(challenge=submission.challenge, participant_id=team.pk)


def participant_set_disqualified(*, participant: Participant, disqualified: bool = True) -> None:
    """Hide a team and every submission of it from the boards (or show them again)."""
    with transaction.atomic():
        locked = team_lock_by_id(participant_id=participant.pk)
        if locked is None:
            return  # merged into another team meanwhile
        locked.is_disqualified = disqualified
        locked.save(update_fields=["is_disqualified"])
        leaderboard_refresh_participant(challenge=participant.challenge, participant_id=locked.pk)


def submissions_sweep_stuck(*, queued_after_seconds: int | None = None, batch: int = 500) -> dict[str, int]:
    """Recover submissions whose task was lost (as Read the Docs' finish_unhealthy_builds does for builds).

    Running with its lease run out: no live worker holds its task any more (it was killed, or its machine
    stopped), so the submission goes back to the queue and is sent again, or fails once it used up its attempts.
    A row claimed before leases existed has none; it is judged by the old rule, running past the hard time limit
    plus a grace. The dead worker's own message may still come back later (Redis restores it after the
    visibility timeout): its claim then finds the row taken, and it does nothing.
    Queued for longer than `queued_after_seconds` while no message waits in the broker: its message was lost
    (the broker was down at upload, or restarted without persistence), so it is sent again. While messages
    still wait, queued rows are a backlog, not lost ones, and sending them again would only grow the queue.
    """
    now = timezone.now()
    if queued_after_seconds is None:
        queued_after_seconds = settings.HUB_SWEEP_QUEUED_AFTER_SECONDS
    queued_after = dt.timedelta(seconds=queued_after_seconds)
    stale_running = now - dt.timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + settings.HUB_SWEEP_RUNNING_GRACE_SECONDS
    )

    running = Submission.objects.filter(status=Submission.Status.RUNNING).filter(
        Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True, started_at__lt=stale_running)
    )
    # Imported here: scoring imports this module (participant_lock).
    from .scoring import submission_give_up

    exhausted = running.filter(attempts__gte=settings.HUB_MAX_SCORING_ATTEMPTS).values_list("pk", "task_id")
    failed = sum(
        submission_give_up(submission_id=submission_id, delivery_id=task_id)
        for submission_id, task_id in exhausted[:batch]
    )
    recovered = []
    for submission_id in running.order_by("started_at").values_list("pk", flat=True)[:batch]:
        # The same conditions again, row by row: a redelivery may have claimed it since, with a fresh lease.
        if running.filter(pk=submission_id).update(
            status=Submission.Status.QUEUED, task_id="", lease_expires_at=None
        ):
            recovered.append(submission_id)
            enqueue_scoring(submission_id)
    recovered_count = len(recovered)

    waiting: list[int] = []
    if broker_queue_length() == 0:
        waiting = list(
            Submission.objects.filter(status=Submission.Status.QUEUED, created_at__lt=now - queued_after)
            .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - queued_after))
            .exclude(pk__in=recovered)
            .order_by("created_at")
            .values_list("pk", flat=True)[:batch]
        )
    for submission_id in waiting:
        enqueue_scoring(submission_id)
    if failed or recovered_count or waiting:
        logger.info(
            "Sweeper: %s failed, %s recovered from running, %s enqueued again",
            failed,
            recovered_count,
            len(waiting),
        )
    return {"failed": failed, "recovered": recovered_count, "enqueued": len(waiting)}
