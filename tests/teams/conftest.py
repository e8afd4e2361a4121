import pytest

from submissions.models import Participant, Submission
from submissions.services.submit import submission_create
from submissions.team_selectors import team_of
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.factories import UserFactory


def submit(challenge, user, *, correct: int = 10) -> Submission:
    """An upload through the one submit path; the submission counts for the learner's team."""
    submission = submission_create(
        user=user, challenge=challenge, file=upload(predictions_csv(20, correct=correct))
    )
    submission.refresh_from_db()
    return submission


@pytest.fixture
def learners(db):
    return [UserFactory(username=name) for name in ("ada", "ben", "cy", "dee", "eve", "fay")]


def team_named(challenge, name: str) -> Participant:
    return Participant.objects.get(challenge=challenge, name=name)


__all__ = ["submit", "team_named", "team_of"]
