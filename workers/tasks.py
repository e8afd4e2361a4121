"""Celery tasks: thin wrappers that pass ids to services."""

from celery import Task, shared_task
from celery.exceptions import TimeLimitExceeded
from django.db import Error as DatabaseError

from submissions.services.leaderboard_jobs import leaderboards_roll
from submissions.services.recovery import submissions_sweep_stuck
from submissions.services.scoring import submission_fail_over_time, submission_score
from workers import warmup  # noqa: F401  (connects the worker process signals)


class ScoringTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Called in the worker's main process when the hard time limit killed the task's process.
        if isinstance(exc, TimeLimitExceeded) and args:
            submission_fail_over_time(submission_id=args[0], delivery_id=task_id)


@shared_task(
    name="submissions.score",
    base=ScoringTask,
    bind=True,
    # django.db.Error, not DatabaseError alone: a connection the server closed raises InterfaceError.
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def score_submission(self, submission_id: int) -> None:
    submission_score(submission_id=submission_id, delivery_id=self.request.id)


@shared_task(name="submissions.sweep", ignore_result=True)
def sweep_stuck_submissions() -> dict[str, int]:
    return submissions_sweep_stuck()


@shared_task(name="leaderboards.roll", ignore_result=True)
def roll_leaderboards() -> int:
    return leaderboards_roll()


@shared_task(
    name="datasets.finish_version",
    ignore_result=True,
    # A zip of a version of some GB takes minutes, far past the scoring limits that are the default.
    soft_time_limit=1800,
    time_limit=1900,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def finish_dataset_version(version_id: int) -> None:
    """Previews and the download-all zip of a new dataset version (projects/dataset_finish.py)."""
    from projects.dataset_finish import dataset_version_finish

    dataset_version_finish(version_id=version_id)
