"""Private scores stay hidden from everyone until the challenge ends or the host reveals them."""

import pytest

from .conftest import board, end_challenge, give_an_end_date, names, scored

pytestmark = pytest.mark.django_db

PRIVATE_ONLY = 0.123456  # a private score no public value equals, to search responses for


def hidden_everywhere(client, challenge, submission) -> None:
    slug = challenge.slug
    for path in ("leaderboard/", "leaderboard/me/", "leaderboard/csv/", "leaderboard/history/"):
        response = client.get(f"/api/v1/challenges/{slug}/{path}", {"split": "private"})
        assert response.status_code == 403, (path, response.status_code)
        assert "hidden until the challenge ends or the host reveals it" in response.json()["error"]
    detail = client.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert detail["private_score"] is None
    assert detail["extra_scores"] == {"f1_macro": {"public": pytest.approx(0.45)}}
    listed = client.get(f"/api/v1/challenges/{slug}/submissions/").json()["results"]
    assert [item["private_score"] for item in listed] == [None]
    for page in (
        f"/challenges/{slug}/leaderboard/?split=private",
        f"/challenges/{slug}/submissions/",
        f"/submissions/{submission.pk}/",
    ):
        html = client.get(page).content.decode()
        assert str(PRIVATE_ONLY)[:6] not in html, page


def test_private_scores_are_hidden_before_the_end_even_from_their_owner(client, challenge, user):
    give_an_end_date(challenge)
    submission = scored(challenge, user, 0.9, PRIVATE_ONLY)
    client.force_login(user)

    hidden_everywhere(client, challenge, submission)

    public = board(client, challenge)
    assert [row["score"] for row in public] == [0.9]


def test_a_practice_problem_that_never_ends_keeps_private_scores_hidden_until_revealed(
    client, challenge, user
):
    assert challenge.end_at is None
    submission = scored(challenge, user, 0.9, PRIVATE_ONLY)
    client.force_login(user)

    hidden_everywhere(client, challenge, submission)


def test_the_private_board_opens_to_everyone_when_the_challenge_ends(client, api_client, challenge, learners):
    give_an_end_date(challenge)
    public_leader, private_leader = learners("public_leader", "private_leader")
    scored(challenge, public_leader, 0.9, 0.5)
    scored(challenge, private_leader, 0.7, 0.8)
    end_challenge(challenge)

    assert names(board(api_client, challenge, split="private")) == [
        (1, "private_leader"),
        (2, "public_leader"),
    ]
    assert names(board(api_client, challenge, split="public")) == [
        (1, "public_leader"),
        (2, "private_leader"),
    ]
    client.force_login(public_leader)
    me = client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/", {"split": "private"}).json()
    assert (me["rank"], me["score"]) == (2, 0.5)


def test_the_host_reveals_the_private_board_from_the_admin(client, api_client, challenge, user, admin_user):
    scored(challenge, user, 0.9, PRIVATE_ONLY)
    assert (
        api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/", {"split": "private"}).status_code
        == 403
    )

    client.force_login(admin_user)
    response = client.post(
        "/admin/projects/challenge/",
        {"action": "reveal_private", "_selected_action": [challenge.pk]},
    )
    assert response.status_code == 302

    challenge.refresh_from_db()
    assert challenge.private_revealed
    rows = board(api_client, challenge, split="private")
    assert [(row["participant"], row["score"]) for row in rows] == [(user.username, PRIVATE_ONLY)]
    client.force_login(user)
    [mine] = client.get(f"/api/v1/challenges/{challenge.slug}/submissions/").json()["results"]
    assert (mine["private_score"], mine["extra_scores"]["f1_macro"]["private"]) == (
        PRIVATE_ONLY,
        PRIVATE_ONLY / 2,
    )


def test_an_unknown_split_is_a_400_that_names_the_choices(api_client, challenge):
    response = api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/", {"split": "secret"})
    assert response.status_code == 400
    assert "split=public or split=private" in response.json()["error"]
