import pytest

from submissions.leaderboard import leaderboard_refresh_participant
from submissions.models import Submission
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.factories import UserFactory
from tests.scored import scored

pytestmark = pytest.mark.django_db


def board(client, slug: str, **params) -> list[dict]:
    response = client.get(f"/api/v1/challenges/{slug}/leaderboard/", params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_one_row_per_participant_with_their_best_score(api_client, challenge):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    scored(challenge, alice, 10)
    scored(challenge, alice, 18)
    scored(challenge, alice, 12)
    scored(challenge, bob, 14)

    rows = board(api_client, challenge.slug)

    assert [(r["rank"], r["participant"], r["entries"]) for r in rows] == [(1, "alice", 3), (2, "bob", 1)]
    assert rows[0]["score"] == pytest.approx(9 / 10)  # public rows are the odd ids: 9 of the first 18 rows


def test_equal_scores_rank_the_earlier_submission_first(api_client, challenge):
    late, early = UserFactory(username="late"), UserFactory(username="early")
    scored(challenge, late, 16, minutes_ago=1)
    scored(challenge, early, 16, minutes_ago=5)

    assert [r["participant"] for r in board(api_client, challenge.slug)] == ["early", "late"]


def test_a_participants_tie_with_themself_keeps_the_earlier_submission(api_client, challenge):
    learner = UserFactory()
    first = scored(challenge, learner, 16, minutes_ago=10)
    scored(challenge, learner, 16, minutes_ago=1)

    [row] = board(api_client, challenge.slug)
    assert row["submitted_at"] == first.created_at.isoformat().replace("+00:00", "Z")


def test_lower_is_better_metrics_rank_the_smallest_score_first(api_client, challenge):
    challenge.metric = "rmse"
    challenge.save()
    for name, rmse in [("far", 3.5), ("near", 0.25), ("middle", 1.0)]:
        learner = UserFactory(username=name)
        submission = submission_create(
            user=learner, challenge=challenge, file=upload(predictions_csv(20, correct=1))
        )
        Submission.objects.filter(pk=submission.pk).update(
            status="scored", public_score=rmse, private_score=rmse
        )
        leaderboard_refresh_participant(challenge=challenge, participant_id=submission.participant_id)

    assert [(r["participant"], r["score"]) for r in board(api_client, challenge.slug)] == [
        ("near", 0.25),
        ("middle", 1.0),
        ("far", 3.5),
    ]


def test_the_leaderboard_page_and_my_rank_use_a_fixed_number_of_queries(
    api_client, challenge, django_assert_max_num_queries
):
    users = [UserFactory() for _ in range(12)]
    for position, learner in enumerate(users):
        scored(challenge, learner, 8 + position % 10)
    api_client.force_authenticate(users[-1])

    # One more each than before teams: the members of the rows' teams.
    with django_assert_max_num_queries(5):
        rows = board(api_client, challenge.slug, page_size=5, page=2)
    with django_assert_max_num_queries(5):
        me = api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").json()

    assert [r["rank"] for r in rows] == [6, 7, 8, 9, 10]
    assert me["participant"] == users[-1].username and me["rank"] >= 1


def test_the_private_leaderboard_is_refused_until_revealed(api_client, challenge):
    response = api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/", {"split": "private"})
    assert response.status_code == 403
    assert "hidden until the challenge ends" in response.json()["error"]

    challenge.private_revealed = True
    challenge.save()
    assert (
        api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/", {"split": "private"}).status_code
        == 200
    )
