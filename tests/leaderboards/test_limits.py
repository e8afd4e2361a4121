"""Daily and total limits per participant: failed submissions do not count, the day resets at 00:00 UTC."""

import datetime as dt

import pytest
from django.utils import timezone

from projects.services import baseline_user
from submissions.models import Submission
from submissions.selectors import utc_day_start
from tests.bundles import predictions_csv
from tests.conftest import upload as file

from .conftest import finish, submit

pytestmark = pytest.mark.django_db


def upload(client, challenge, n: int = 0):
    return client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"file": file(predictions_csv(20, correct=n % 20))},
        format="multipart",
    )


def limits(client, challenge) -> dict:
    return client.get(f"/api/v1/challenges/{challenge.slug}/limits/").json()


def test_the_daily_limit_refuses_the_next_upload_with_when_it_resets(auth_client, make_challenge):
    challenge = make_challenge(daily_limit=3)
    assert [upload(auth_client, challenge, n).status_code for n in range(3)] == [201, 201, 201]

    refused = upload(auth_client, challenge)

    assert refused.status_code == 429
    tomorrow = (utc_day_start() + dt.timedelta(days=1)).strftime("%Y-%m-%d 00:00 UTC")
    assert (
        f"You have used your 3 submissions for today. The count resets at 00:00 UTC ({tomorrow})"
        in (refused.json()["error"])
    )
    assert limits(auth_client, challenge)["remaining_today"] == 0


def test_failed_submissions_do_not_count_against_the_daily_limit(auth_client, make_challenge, user):
    challenge = make_challenge(daily_limit=2)
    finish(submit(challenge, user), None)
    finish(submit(challenge, user), None)
    assert limits(auth_client, challenge) | {"resets_at": None} == {
        "daily_limit": 2,
        "used_today": 0,
        "remaining_today": 2,
        "total_limit": None,
        "used_total": 0,
        "resets_at": None,
    }

    assert [upload(auth_client, challenge, n).status_code for n in range(3)] == [201, 201, 429]


def test_queued_submissions_count_so_a_burst_cannot_outrun_the_scorer(auth_client, make_challenge, user):
    challenge = make_challenge(daily_limit=2)
    submit(challenge, user)
    submit(challenge, user)

    assert upload(auth_client, challenge).status_code == 429


def test_the_day_starts_at_midnight_utc(auth_client, make_challenge, user):
    challenge = make_challenge(daily_limit=2)
    yesterday_late = utc_day_start() - dt.timedelta(minutes=1)
    for _ in range(2):
        Submission.objects.filter(pk=submit(challenge, user).pk).update(created_at=yesterday_late)

    assert limits(auth_client, challenge)["remaining_today"] == 2
    assert upload(auth_client, challenge).status_code == 201


def test_the_day_start_is_midnight_utc_whatever_the_local_zone():
    in_tokyo = dt.datetime(
        2026, 3, 5, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))
    )  # 22:30 UTC on the 4th
    assert utc_day_start(in_tokyo) == dt.datetime(2026, 3, 4, tzinfo=dt.UTC)


def test_the_total_limit_counts_every_day_and_says_so(auth_client, make_challenge, user):
    challenge = make_challenge(daily_limit=5, total_limit=3)
    for days_ago in (3, 2):
        created = timezone.now() - dt.timedelta(days=days_ago)
        Submission.objects.filter(pk=submit(challenge, user).pk).update(created_at=created)
    assert limits(auth_client, challenge)["remaining_today"] == 1

    assert upload(auth_client, challenge).status_code == 201
    refused = upload(auth_client, challenge)

    assert refused.status_code == 429
    assert "You have used all 3 submissions allowed in" in refused.json()["error"]


def test_baselines_are_not_held_to_the_limits(make_challenge):
    challenge = make_challenge(daily_limit=1)
    for _ in range(3):
        submit(challenge, baseline_user(), is_baseline=True)
    assert Submission.objects.filter(is_baseline=True).count() == 3
