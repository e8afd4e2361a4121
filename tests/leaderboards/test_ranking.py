"""One row per participant with their best score, distinct ranks with Kaggle's tie rule, baselines unranked."""

import pytest

from submissions.models import LeaderboardEntry
from submissions.services.leaderboard_jobs import leaderboard_rebuild

from .conftest import baseline, board, names, scored

pytestmark = pytest.mark.django_db


def test_each_participant_has_one_row_holding_their_best_score(api_client, challenge, learners):
    alice, bob = learners("alice", "bob")
    scored(challenge, alice, 0.5)
    scored(challenge, alice, 0.9)
    scored(challenge, alice, 0.7)
    scored(challenge, bob, 0.8)

    rows = board(api_client, challenge)

    assert names(rows) == [(1, "alice"), (2, "bob")]
    assert [(row["score"], row["entries"]) for row in rows] == [(0.9, 3), (0.8, 1)]


def test_equal_scores_rank_the_earlier_submission_first_and_ranks_stay_distinct(
    api_client, challenge, learners
):
    late, early, middle = learners("late", "early", "middle")
    scored(challenge, late, 0.8, minutes_ago=1)
    scored(challenge, early, 0.8, minutes_ago=30)
    scored(challenge, middle, 0.8, minutes_ago=10)

    assert names(board(api_client, challenge)) == [(1, "early"), (2, "middle"), (3, "late")]


def test_a_later_submission_with_the_same_score_does_not_move_the_participant(
    api_client, challenge, learners
):
    first_to_reach, other = learners("first_to_reach", "other")
    kept = scored(challenge, first_to_reach, 0.8, minutes_ago=30)
    scored(challenge, other, 0.8, minutes_ago=20)
    scored(challenge, first_to_reach, 0.8, minutes_ago=1)

    assert names(board(api_client, challenge)) == [(1, "first_to_reach"), (2, "other")]
    assert LeaderboardEntry.objects.get(user=first_to_reach, split="public").submission_id == kept.pk


def test_lower_is_better_metrics_put_the_smallest_error_first(api_client, challenge, learners):
    challenge.metric = "rmse"
    challenge.save(update_fields=["metric"])
    far, near, middle = learners("far", "near", "middle")
    scored(challenge, far, 3.5)
    scored(challenge, near, 0.25)
    scored(challenge, near, 0.5)  # worse for this metric, so not their best
    scored(challenge, middle, 1.0)

    rows = board(api_client, challenge)

    assert [(row["participant"], row["score"]) for row in rows] == [
        ("near", 0.25),
        ("middle", 1.0),
        ("far", 3.5),
    ]


def test_baseline_rows_are_marked_and_take_no_rank_from_learners(api_client, challenge, learners):
    above, below = learners("above", "below")
    scored(challenge, above, 0.9)
    baseline(challenge, 0.6)
    scored(challenge, below, 0.4)

    rows = board(api_client, challenge)

    assert [(row["rank"], row["participant"], row["is_baseline"]) for row in rows] == [
        (1, "above", False),
        (None, "baseline", True),
        (2, "below", False),
    ]


def test_ranks_on_a_later_page_do_not_count_the_baselines_before_it(api_client, challenge, learners):
    people = learners(*[f"p{n}" for n in range(6)])
    for position, person in enumerate(people):
        scored(challenge, person, 0.9 - position / 10)  # p0 0.9 ... p5 0.4
    baseline(challenge, 0.75)  # between p1 (0.8) and p2 (0.7)

    second_page = board(api_client, challenge, page=2, page_size=3)

    assert names(second_page) == [(3, "p2"), (4, "p3"), (5, "p4")]


def test_my_rank_counts_only_learners_ahead_with_the_tie_rule(auth_client, challenge, user, learners):
    ahead, tied_earlier, tied_later = learners("ahead", "tied_earlier", "tied_later")
    scored(challenge, ahead, 0.9)
    baseline(challenge, 0.85)
    scored(challenge, tied_earlier, 0.6, minutes_ago=20)
    scored(challenge, user, 0.6, minutes_ago=10)
    scored(challenge, tied_later, 0.6, minutes_ago=1)

    me = auth_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").json()

    assert (me["rank"], me["participant"], me["score"]) == (3, user.username, 0.6)


def test_my_rank_is_a_404_with_a_reason_before_my_first_score(auth_client, challenge):
    response = auth_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/")
    assert response.status_code == 404
    assert "no scored submission" in response.json()["error"]


@pytest.mark.parametrize("page_size", [1, 10, 40])
def test_the_board_and_my_rank_take_the_same_few_queries_for_any_page_size(
    auth_client, challenge, user, learners, page_size, django_assert_num_queries
):
    for position, person in enumerate(learners(*[f"q{n}" for n in range(40)])):
        scored(challenge, person, position / 100)
    baseline(challenge, 0.205)
    scored(challenge, user, 0.105)

    # the challenge, the count, the page, its teams' members; on a page after the first, the baselines before it
    with django_assert_num_queries(5):
        rows = board(auth_client, challenge, page=2, page_size=page_size)
    # the challenge, then my entry with the count of learners ahead, then my team's members
    with django_assert_num_queries(3):
        me = auth_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").json()

    assert len(rows) == min(page_size, 42 - page_size)
    assert me["rank"] == 30  # 0.39 ... 0.11: 29 learners ahead


def test_rebuilding_recomputes_entries_after_the_metric_changes_direction(api_client, challenge, learners):
    small, large = learners("small", "large")
    scored(challenge, small, 0.1)
    scored(challenge, large, 0.9)
    challenge.metric = "rmse"
    challenge.save(update_fields=["metric"])

    assert leaderboard_rebuild(challenge=challenge) == 2

    assert names(board(api_client, challenge)) == [(1, "small"), (2, "large")]
