"""The data behind the charts: a learner's scores over time, and the top score over time read from the changes
recorded when entries are refreshed (never from the submissions)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from submissions.leaderboard import score_history, top_score_history
from submissions.models import Participant, Submission, TopScoreChange
from submissions.services.moderation import participant_set_disqualified, submission_set_disqualified

from .conftest import baseline, finish, scored, submit

pytestmark = pytest.mark.django_db


def tops(challenge, split: str = "public") -> list[tuple]:
    return [
        (point["participant"], point["score"])
        for point in top_score_history(challenge=challenge, split=split)
    ]


def test_my_history_lists_my_counted_scores_in_time_order_with_the_best_so_far(challenge, user):
    first = scored(challenge, user, 0.5, minutes_ago=40)
    finish(submit(challenge, user, minutes_ago=30), None)  # failed: not on the board, not on the chart
    cheat = scored(challenge, user, 0.99, minutes_ago=20)
    submission_set_disqualified(submission=cheat)
    third = scored(challenge, user, 0.4, minutes_ago=10)
    fourth = scored(challenge, user, 0.7, minutes_ago=5)

    points = score_history(challenge=challenge, user=user, split="public")

    assert [(p["submission_id"], p["score"], p["best"]) for p in points] == [
        (first.pk, 0.5, 0.5),
        (third.pk, 0.4, 0.5),
        (fourth.pk, 0.7, 0.7),
    ]
    assert points[0]["submitted_at"] == first.created_at


def test_for_an_error_metric_the_best_so_far_is_the_smallest(challenge, user):
    challenge.metric = "rmse"
    challenge.save(update_fields=["metric"])
    for score in (3.0, 1.0, 2.0):
        scored(challenge, user, score)

    assert [p["best"] for p in score_history(challenge=challenge, user=user, split="public")] == [
        3.0,
        1.0,
        1.0,
    ]


def test_the_top_score_is_recorded_only_when_it_changes(challenge, learners):
    alice, bob = learners("alice", "bob")
    scored(challenge, alice, 0.5)
    scored(challenge, bob, 0.4)  # below the top
    bob_best = scored(challenge, bob, 0.7)  # a new top
    scored(challenge, alice, 0.6)  # alice improves, bob stays on top
    baseline(challenge, 0.99)  # baselines are not learners' scores

    assert tops(challenge) == [("alice", 0.5), ("bob", 0.7)]

    submission_set_disqualified(submission=bob_best)  # the top can go down too
    participant_set_disqualified(participant=Participant.objects.get(challenge=challenge, user=alice))

    assert tops(challenge) == [("alice", 0.5), ("bob", 0.7), ("alice", 0.6), ("bob", 0.4)]


def test_a_board_that_empties_records_no_score(challenge, user):
    only = scored(challenge, user, 0.5)
    submission_set_disqualified(submission=only)

    assert tops(challenge) == [(user.username, 0.5), (None, None)]


def test_the_history_api_gives_both_lines_in_three_queries(
    client, challenge, user, django_assert_num_queries
):
    scored(challenge, user, 0.5)
    scored(challenge, user, 0.8)
    client.force_login(user)

    with django_assert_num_queries(5):  # session and user, then the challenge, the top line, my line
        body = client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/history/").json()

    assert body["split"] == "public"
    assert [(p["participant"], p["score"]) for p in body["top"]] == [
        (user.username, 0.5),
        (user.username, 0.8),
    ]
    assert [(p["score"], p["best"], p["is_final"]) for p in body["mine"]] == [
        (0.5, 0.5, False),
        (0.8, 0.8, False),
    ]
    assert body["top"][0]["at"].endswith("Z")


def test_anonymous_visitors_get_the_top_line_only(api_client, challenge, user):
    scored(challenge, user, 0.5)

    body = api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/history/").json()

    assert (len(body["top"]), body["mine"]) == (1, [])


def test_private_lines_are_empty_until_the_board_is_revealed(challenge, user):
    scored(challenge, user, 0.5, 0.9)
    assert score_history(challenge=challenge, user=user, split="private") == []
    assert top_score_history(challenge=challenge, split="private") == []

    challenge.private_revealed = True
    assert [p["score"] for p in score_history(challenge=challenge, user=user, split="private")] == [0.9]
    assert tops(challenge, "private") == [(user.username, 0.9)]


@pytest.mark.slow
def test_scores_stored_at_the_same_moment_record_a_rising_top_line(transactional_db, challenge, learners):
    """Each thread stores one learner's better score in its own transaction at once; each new top is checked
    again under the board's lock, so no lower score is ever recorded after a higher one."""
    people = learners(*[f"racer{n}" for n in range(12)])
    for person in people:  # all on the board already, so the race below only moves entries
        scored(challenge, person, 0.05)
    scores = [0.31, 0.92, 0.15, 0.77, 0.5, 0.99, 0.64, 0.2, 0.85, 0.43, 0.97, 0.58]
    queued = [submit(challenge, person, claim=True) for person in people]
    start = threading.Barrier(len(queued))

    def store(pair: tuple[Submission, float]) -> None:
        try:
            start.wait()
            finish(*pair)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(queued)) as pool:
        list(pool.map(store, zip(queued, scores, strict=True)))

    recorded = [
        change.score for change in TopScoreChange.objects.filter(split="public").order_by("changed_at", "id")
    ]
    assert recorded == sorted(recorded) and len(set(recorded)) == len(recorded)
    assert recorded[-1] == 0.99
