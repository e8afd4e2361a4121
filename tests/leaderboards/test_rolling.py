"""Practice problems that never end keep a rolling board: only the last HUB_ROLLING_LEADERBOARD_DAYS count."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from submissions.models import Leaderboard, LeaderboardEntry, Submission
from submissions.services.leaderboard_jobs import leaderboards_roll

from .conftest import baseline, board, give_an_end_date, names, scored

pytestmark = pytest.mark.django_db


def age(submission: Submission, days: float) -> None:
    """Make the submission (and the entry holding it) `days` old, as if the board had not been refreshed since."""
    when = timezone.now() - dt.timedelta(days=days)
    Submission.objects.filter(pk=submission.pk).update(created_at=when)
    LeaderboardEntry.objects.filter(submission=submission).update(submitted_at=when)


@override_settings(HUB_ROLLING_LEADERBOARD_DAYS=60)
def test_entries_older_than_the_window_roll_off_and_the_next_recent_best_takes_over(
    api_client, challenge, learners
):
    assert challenge.end_at is None
    veteran, regular, newcomer = learners("veteran", "regular", "newcomer")
    age(scored(challenge, veteran, 0.95), 61)
    age(scored(challenge, regular, 0.9), 61)
    scored(challenge, regular, 0.7)
    scored(challenge, newcomer, 0.8)
    baseline_submission = baseline(challenge, 0.5)
    age(baseline_submission, 400)
    assert names(board(api_client, challenge))[0] == (1, "veteran")

    assert leaderboards_roll() == 1  # regular's new score already replaced the old best when it was stored

    rows = board(api_client, challenge)
    assert [(row["rank"], row["participant"], row["score"]) for row in rows] == [
        (1, "newcomer", 0.8),
        (2, "regular", 0.7),
        (None, "baseline", 0.5),  # baselines never roll off
    ]
    assert Leaderboard.objects.get(challenge=challenge, split="public").learners == 2


@override_settings(HUB_ROLLING_LEADERBOARD_DAYS=60)
def test_a_new_score_is_ranked_against_recent_submissions_only(api_client, challenge, user):
    old = scored(challenge, user, 0.9)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=90))

    scored(challenge, user, 0.6)

    assert [row["score"] for row in board(api_client, challenge)] == [0.6]


@override_settings(HUB_ROLLING_LEADERBOARD_DAYS=60)
def test_a_challenge_with_an_end_date_keeps_every_submission(api_client, challenge, user):
    give_an_end_date(challenge, days=200)
    age(scored(challenge, user, 0.9), 100)

    assert leaderboards_roll() == 0
    assert [row["score"] for row in board(api_client, challenge)] == [0.9]


@override_settings(HUB_ROLLING_LEADERBOARD_DAYS=0)
def test_a_window_of_zero_keeps_everything(api_client, challenge, user):
    age(scored(challenge, user, 0.9), 1000)

    assert leaderboards_roll() == 0
    assert [row["score"] for row in board(api_client, challenge)] == [0.9]
