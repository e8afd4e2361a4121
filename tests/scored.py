"""A submission uploaded and scored for real in the test's own process: the submit service, then the scorer.

No worker is needed; the tests that need one start it (tests/processes.py).
"""

import datetime as dt

from django.utils import timezone

from submissions.models import Submission
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload


def scored(
    challenge,
    user,
    correct: int,
    *,
    rows: int = 20,
    minutes_ago: float = 0,
    content: bytes | None = None,
    name: str = "predictions.csv",
    description: str = "",
) -> Submission:
    """`correct` of `rows` predictions right (or the file `content`), dated `minutes_ago`; asserts it scored."""
    submission = submission_create(
        user=user,
        challenge=challenge,
        file=upload(content or predictions_csv(rows, correct=correct), name),
        description=description,
    )
    if minutes_ago:
        Submission.objects.filter(pk=submission.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
        )
    submission_score(submission_id=submission.pk, delivery_id=f"test-{submission.pk}")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SCORED, submission.error
    return submission
