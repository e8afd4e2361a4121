"""The scoring service: enqueue a submission, claim it, run the engine on it, and store the outcome; the leases
that tell a live worker's claims from a dead one's; rescoring.

Every write here is conditional on the claim (status running, claimed by this delivery), so a duplicate or
late delivery changes nothing and a submission is scored exactly once.
"""

import datetime as dt
import logging
import time
from collections.abc import Iterable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import Error as DatabaseError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from community.services.notifications import submission_outcome_stored
from hub.celery import app as celery_app
from hub.storage import local_copy
from learning.services.milestones import milestones_award_on_commit
from projects.models import Challenge
from projects.selectors import challenge_scoring_spec, challenge_solution
from workers.scoring import ScoreResult, SolutionError, SubmissionRejected, score_file

from ..leaderboard import leaderboard_refresh_participant
from ..models import Submission
from .locks import team_lock_of_submission

# The stored-outcome line below is a record that operators, the fault tests and bench/soak.py read by this name,
# which it has kept since scoring was one module.
logger = logging.getLogger("submissions.scoring")

SCORE_TASK = "submissions.score"

# What a learner is told when the hub's side keeps a challenge from being scored; the hosts get the details.
HOST_SIDE_ERROR = (
    "This challenge's scoring is broken on the hub's side, not in your file, and the hosts have been told. "
    "Submit the file again once they have fixed it; failed submissions do not count against your limits."
)


def enqueue_scoring(submission_id: int) -> None:
    """Send the scoring task. A broker failure is logged, not raised: the sweeper sends it again later."""
    try:
        celery_app.send_task(
            SCORE_TASK,
            args=[submission_id],
            retry=True,
            retry_policy=settings.HUB_ENQUEUE_RETRY_POLICY,
            # No time limits in the message: the worker's own SCORING_*_TIME_LIMIT decide. Celery stamps the
            # sender's defaults into it whenever the sending process has the task registered (this one does once
            # workers.tasks is imported, e.g. by the datasets service), and a message's limits beat the worker's.
            time_limit=None,
            soft_time_limit=None,
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


def submission_claim(*, submission_id: int, delivery_id: str) -> Submission | None:
    """Take the submission for this delivery, or return None if it is done or another delivery has it.

    A redelivery of the same message (its worker died before acknowledging) may take over a running row.
    The claim comes with a lease that the worker renews while it holds the task (submission_leases_renew).
    """
    now = timezone.now()
    claimed = (
        Submission.objects.filter(pk=submission_id)
        .filter(Q(status=Submission.Status.QUEUED) | Q(status=Submission.Status.RUNNING, task_id=delivery_id))
        .update(
            status=Submission.Status.RUNNING,
            task_id=delivery_id,
            started_at=now,
            lease_expires_at=now + dt.timedelta(seconds=settings.HUB_SCORING_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    submission = Submission.objects.select_related("challenge__solution").get(pk=submission_id)
    if submission.attempts > settings.HUB_MAX_SCORING_ATTEMPTS:
        _finish(
            submission, delivery_id, status=Submission.Status.FAILED, error=_gave_up(submission.attempts - 1)
        )
        return None
    return submission


def submission_give_up(*, submission_id: int, delivery_id: str) -> bool:
    """Fail a submission whose deliveries were all interrupted (the sweeper's call, once the last one's lease ran
    out), through the same store as every other outcome: the leaderboard, the log line and the notification."""
    submission = Submission.objects.select_related("challenge", "user").filter(pk=submission_id).first()
    if submission is None:
        return False
    return _finish(
        submission, delivery_id, status=Submission.Status.FAILED, error=_gave_up(submission.attempts)
    )


def _gave_up(times: int) -> str:
    return (
        f"Scoring was interrupted {times} times, so the hub gave up on this file. "
        "Submit it again; if it fails the same way, tell the challenge's host."
    )


def submission_leases_renew(*, delivery_ids: Iterable[str]) -> int:
    """Extend the lease of the running submissions claimed by these deliveries, the ones a live worker holds.

    Called by each worker's main process every third of the lease (workers/leases.py): while it runs, the
    sweeper leaves its submissions alone however long they take; once it dies, their leases run out and the
    sweeper takes them back. Returns how many leases were renewed.
    """
    ids = list(delivery_ids)
    if not ids:
        return 0
    return Submission.objects.filter(status=Submission.Status.RUNNING, task_id__in=ids).update(
        lease_expires_at=timezone.now() + dt.timedelta(seconds=settings.HUB_SCORING_LEASE_SECONDS)
    )


def submission_score(*, submission_id: int, delivery_id: str) -> None:
    """Score one submission. Infrastructure errors (database, storage) propagate so the task retries them."""
    submission = submission_claim(submission_id=submission_id, delivery_id=delivery_id)
    if submission is None:
        return
    started = time.monotonic()
    try:
        result = _run_engine(submission)
    except SubmissionRejected as exc:
        _finish(submission, delivery_id, status=Submission.Status.FAILED, error=str(exc))
    except SolutionError as exc:
        # The hub's side, not the file: every delivery would meet the same, so it fails now and is not retried.
        logger.error("Submission %s failed on the hub's side, not scored: %s", submission_id, exc.message)
        _finish(
            submission,
            delivery_id,
            status=Submission.Status.FAILED,
            error=HOST_SIDE_ERROR,
            internal_error=exc.message,
        )
    except SoftTimeLimitExceeded:
        _finish(
            submission,
            delivery_id,
            status=Submission.Status.FAILED,
            error=f"Scoring took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds and was stopped. "
            "Check that the file has one row per test id and no extra columns.",
        )
    except (OSError, DatabaseError, transaction.TransactionManagementError):
        # Not the file's fault: the task retries, and the row stays claimed by this delivery until then.
        raise
    except Exception:
        logger.exception("Scorer error on submission %s", submission_id)
        _finish(
            submission,
            delivery_id,
            status=Submission.Status.FAILED,
            error="The scorer hit an unexpected error on this file and the hub's hosts have been told. "
            f"Check the file against the sample submission, or submit it again later (reference: {submission_id}).",
        )
    else:
        _finish(submission, delivery_id, status=Submission.Status.SCORED, result=result)
    logger.info("Submission %s finished in %.3f s", submission_id, time.monotonic() - started)


def submission_fail_over_time(*, submission_id: int, delivery_id: str) -> bool:
    """The hard time limit killed the process scoring this submission, so none of the task's own code could store
    the outcome. Celery calls the task's failure hook in the worker's main process, which stores it here."""
    submission = Submission.objects.select_related("challenge", "user").filter(pk=submission_id).first()
    if submission is None:
        return False
    return _finish(
        submission,
        delivery_id,
        status=Submission.Status.FAILED,
        error=f"Scoring took longer than {settings.CELERY_TASK_TIME_LIMIT} seconds and was stopped. "
        "Check that the file has one row per test id and no extra columns.",
    )


def _run_engine(submission: Submission) -> ScoreResult:
    challenge = submission.challenge
    solution = challenge_solution(challenge)
    with local_copy(submission.file) as submission_path:
        return score_file(
            submission_path, solution, challenge_scoring_spec(challenge), insight=challenge.insight_enabled
        )


def _finish(
    submission: Submission,
    delivery_id: str,
    *,
    status: str,
    error: str = "",
    internal_error: str = "",
    result: ScoreResult | None = None,
) -> bool:
    """Store the outcome and refresh the leaderboard in one transaction, only if this delivery still holds it.

    The log line, written once the transaction commits, is the record that fault tests and bench/soak.py count
    to prove each submission was stored exactly once.
    """
    fields = {
        "status": status,
        "error": error,
        "internal_error": internal_error,
        "finished_at": timezone.now(),
        "insight": None,  # a rescored submission that now fails keeps no description of its old predictions
    }
    if result is not None:
        fields |= {
            "public_score": result.public_score,
            "private_score": result.private_score,
            "extra_scores": result.extra_scores,
            "insight": result.insight,
        }
    with transaction.atomic():
        team = team_lock_of_submission(submission_id=submission.pk)
        stored = Submission.objects.filter(
            pk=submission.pk, status=Submission.Status.RUNNING, task_id=delivery_id
        ).update(**fields)
        if stored:
            # A failure counts too: a rescored submission that now fails must leave the board.
            if team is not None:
                leaderboard_refresh_participant(challenge=submission.challenge, participant_id=team.pk)
            attempt = submission.attempts
            # The record of the store first, at once after the commit; the notification (more writes) after it.
            transaction.on_commit(
                lambda: logger.info(
                    "Submission %s stored as %s by delivery %s (attempt %s)",
                    submission.pk,
                    status,
                    delivery_id,
                    attempt,
                )
            )
            milestones_award_on_commit(challenge=submission.challenge, user_id=submission.user_id)
            submission_outcome_stored(submission.pk)
    return bool(stored)
