"""Helpers for leaderboard tests: submissions go through the real create, claim and finish services, with the
scores chosen by the test so that ties and public/private differences are exact."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from projects.models import Challenge
from projects.services import baseline_user
from submissions.models import Submission
from submissions.services.scoring import _finish, submission_claim
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.factories import UserFactory
from workers.scoring import ScoreResult


def _delivery(submission: Submission) -> str:
    return f"test-{submission.pk}"


def submit(
    challenge: Challenge, user, *, minutes_ago: float = 0, is_baseline: bool = False, claim: bool = False
) -> Submission:
    """A submission made through submission_create. With `claim`, the test's own delivery takes it in the same
    transaction, so a real worker that receives the message on commit (a session-wide one started by other
    tests, in a transactional test) finds it taken and leaves it alone."""
    with transaction.atomic():
        submission = submission_create(
            user=user,
            challenge=challenge,
            file=upload(predictions_csv(20, correct=10)),
            is_baseline=is_baseline,
        )
        if minutes_ago:
            submission.created_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
            Submission.objects.filter(pk=submission.pk).update(created_at=submission.created_at)
        if claim:
            submission = submission_claim(submission_id=submission.pk, delivery_id=_delivery(submission))
    return submission


def finish(submission: Submission, public: float | None, private: float | None = None) -> Submission:
    """Store a score (or, with public=None, a failure) exactly as the worker does: claim, then finish. A
    submission this test already claimed is taken again by the same delivery, as a redelivery would be."""
    delivery = _delivery(submission)
    claimed = submission_claim(submission_id=submission.pk, delivery_id=delivery)
    assert claimed is not None, f"submission {submission.pk} was claimed by another delivery"
    if public is None:
        _finish(claimed, delivery, status=Submission.Status.FAILED, error="The file has no header.")
    else:
        result = ScoreResult(
            public_score=public,
            private_score=public if private is None else private,
            extra_scores={"f1_macro": {"public": public / 2, "private": (private or public) / 2}},
            rows=20,
        )
        _finish(claimed, delivery, status=Submission.Status.SCORED, result=result)
    claimed.refresh_from_db()
    return claimed


def scored(
    challenge: Challenge, user, public: float, private: float | None = None, *, minutes_ago: float = 0
) -> Submission:
    return finish(submit(challenge, user, minutes_ago=minutes_ago, claim=True), public, private)


def baseline(challenge: Challenge, public: float, private: float | None = None) -> Submission:
    return finish(submit(challenge, baseline_user(), is_baseline=True, claim=True), public, private)


def board(client, challenge: Challenge, **params) -> list[dict]:
    response = client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(rows: list[dict]) -> list[tuple]:
    return [(row["rank"], row["participant"]) for row in rows]


def end_challenge(challenge: Challenge) -> Challenge:
    """Move the challenge into the past: it started two days ago and ended a minute ago."""
    now = timezone.now()
    Challenge.objects.filter(pk=challenge.pk).update(
        start_at=now - dt.timedelta(days=2), end_at=now - dt.timedelta(minutes=1)
    )
    challenge.refresh_from_db()
    return challenge


def give_an_end_date(challenge: Challenge, days: float = 7) -> Challenge:
    now = timezone.now()
    Challenge.objects.filter(pk=challenge.pk).update(
        start_at=now - dt.timedelta(days=1), end_at=now + dt.timedelta(days=days)
    )
    challenge.refresh_from_db()
    return challenge


@pytest.fixture
def learners(db):
    def make(*usernames: str):
        return [UserFactory(username=name) for name in usernames]

    return make
