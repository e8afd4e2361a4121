"""The sweeper: recover submissions whose scoring task was lost. Run by Celery beat (workers/tasks.py)."""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hub.celery import broker_queue_length

from ..models import Submission
from .scoring import enqueue_scoring, submission_give_up

logger = logging.getLogger(__name__)


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
