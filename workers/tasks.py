"""Celery tasks: thin wrappers that pass ids to services."""

from celery import shared_task
from django.db import Error as DatabaseError

from submissions.scoring import submission_score
from submissions.services import submissions_sweep_stuck


@shared_task(
    name="submissions.score",
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
