"""The host's tools in the Django admin: disqualify a submission or a participant, rescore one, some or all."""

import pytest

from submissions.models import Participant, Submission
from submissions.services.moderation import participant_set_disqualified, submission_set_disqualified

from .conftest import board, finish, names, scored

pytestmark = pytest.mark.django_db


def admin_action(client, model: str, action: str, ids: list[int]):
    response = client.post(f"/admin/{model}/", {"action": action, "_selected_action": ids})
    assert response.status_code == 302, response.content[:500]
    return response


def test_a_disqualified_submission_leaves_the_board_and_the_next_best_takes_its_place(
    api_client, challenge, learners
):
    cheat, honest = learners("cheat", "honest")
    suspicious = scored(challenge, cheat, 0.99)
    scored(challenge, cheat, 0.6)
    scored(challenge, honest, 0.8)

    submission_set_disqualified(submission=suspicious)

    rows = board(api_client, challenge)
    assert [(row["rank"], row["participant"], row["score"]) for row in rows] == [
        (1, "honest", 0.8),
        (2, "cheat", 0.6),
    ]


def test_a_disqualified_participant_is_hidden_and_has_no_rank_until_requalified(client, challenge, learners):
    cheat, honest = learners("cheat", "honest")
    scored(challenge, cheat, 0.99)
    scored(challenge, honest, 0.8)
    participant = Participant.objects.get(challenge=challenge, user=cheat)

    participant_set_disqualified(participant=participant)

    assert names(board(client, challenge)) == [(1, "honest")]
    client.force_login(cheat)
    assert client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").status_code == 404
    participant_set_disqualified(participant=participant, disqualified=False)
    assert names(board(client, challenge)) == [(1, "cheat"), (2, "honest")]


def test_a_participant_stays_hidden_when_a_later_submission_is_scored(api_client, challenge, learners):
    (cheat,) = learners("cheat")
    scored(challenge, cheat, 0.5)
    participant_set_disqualified(participant=Participant.objects.get(challenge=challenge, user=cheat))

    scored(challenge, cheat, 0.9)

    assert board(api_client, challenge) == []


def test_the_admin_disqualifies_submissions_and_participants(client, admin_user, challenge, learners):
    first, second, third = learners("first", "second", "third")
    one = scored(challenge, first, 0.9)
    scored(challenge, first, 0.5)
    two = scored(challenge, second, 0.8)
    scored(challenge, third, 0.7)
    client.force_login(admin_user)

    admin_action(client, "submissions/submission", "disqualify", [one.pk])
    assert names(board(client, challenge)) == [(1, "second"), (2, "third"), (3, "first")]

    admin_action(client, "submissions/submission", "disqualify_participants", [two.pk])
    assert names(board(client, challenge)) == [(1, "third"), (2, "first")]

    third_participant = Participant.objects.get(challenge=challenge, user=third)
    admin_action(client, "submissions/participant", "disqualify", [third_participant.pk])
    assert names(board(client, challenge)) == [(1, "first")]

    admin_action(client, "submissions/submission", "requalify", [one.pk])
    assert [(row["participant"], row["score"]) for row in board(client, challenge)] == [("first", 0.9)]


def test_the_admin_rescores_the_selected_submissions_or_a_whole_challenge(
    client, admin_user, challenge, learners
):
    first, second = learners("first", "second")
    a, b = scored(challenge, first, 0.9), scored(challenge, second, 0.8)
    client.force_login(admin_user)

    admin_action(client, "submissions/submission", "rescore", [a.pk])
    assert dict(Submission.objects.values_list("pk", "status")) == {a.pk: "queued", b.pk: "scored"}

    admin_action(client, "projects/challenge", "rescore_all", [challenge.pk])
    assert set(Submission.objects.values_list("status", flat=True)) == {"queued"}


def test_a_rescore_keeps_the_board_until_each_new_score_is_stored(client, admin_user, challenge, learners):
    first, second = learners("first", "second")
    a, b = scored(challenge, first, 0.9), scored(challenge, second, 0.8)
    client.force_login(admin_user)
    admin_action(client, "projects/challenge", "rescore_all", [challenge.pk])
    assert names(board(client, challenge)) == [(1, "first"), (2, "second")]

    finish(Submission.objects.get(pk=b.pk), 0.95)  # the new solution favours second
    assert [(row["participant"], row["score"]) for row in board(client, challenge)] == [
        ("second", 0.95),
        ("first", 0.9),
    ]
    finish(Submission.objects.get(pk=a.pk), None)  # and first's file no longer passes the checks
    assert names(board(client, challenge)) == [(1, "second")]


def test_the_admin_rebuilds_a_challenges_leaderboards(client, admin_user, challenge, learners):
    (learner,) = learners("learner")
    scored(challenge, learner, 0.5)
    client.force_login(admin_user)

    response = admin_action(client, "projects/challenge", "rebuild_leaderboards", [challenge.pk])

    assert "Recomputed the entries of 1 participant" in client.get(response.url).content.decode()
