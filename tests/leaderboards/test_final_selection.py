"""Up to two submissions marked final decide the private board; without a mark, the best public ones do."""

import pytest

from submissions.models import LeaderboardEntry

from .conftest import end_challenge, finish, give_an_end_date, scored, submit

pytestmark = pytest.mark.django_db


def final(client, submission, *, selected: bool = True):
    url = f"/api/v1/submissions/{submission.pk}/final/"
    return client.post(url) if selected else client.delete(url)


def private_entry(challenge, user) -> LeaderboardEntry:
    return LeaderboardEntry.objects.get(challenge=challenge, user=user, split="private")


def test_without_a_mark_the_private_board_uses_the_best_of_the_two_best_public_submissions(challenge, user):
    scored(challenge, user, 0.90, 0.60)
    second_public = scored(challenge, user, 0.85, 0.70)
    scored(challenge, user, 0.50, 0.99)  # the best private score, but not among the two best public ones

    entry = private_entry(challenge, user)

    assert (entry.submission_id, entry.score) == (second_public.pk, 0.70)


def test_marked_submissions_decide_the_private_board(auth_client, challenge, user):
    best_public = scored(challenge, user, 0.90, 0.60)
    chosen = scored(challenge, user, 0.50, 0.99)

    response = final(auth_client, chosen)

    assert response.status_code == 200, response.json()
    assert response.json()["is_final"] is True
    assert (private_entry(challenge, user).submission_id, private_entry(challenge, user).score) == (
        chosen.pk,
        0.99,
    )
    # the public board is not affected by the choice
    assert LeaderboardEntry.objects.get(user=user, split="public").submission_id == best_public.pk


def test_the_best_of_the_two_marked_submissions_counts(auth_client, challenge, user):
    scored(challenge, user, 0.95, 0.95)
    weaker, stronger = scored(challenge, user, 0.5, 0.55), scored(challenge, user, 0.4, 0.65)
    final(auth_client, weaker)
    final(auth_client, stronger)

    assert private_entry(challenge, user).submission_id == stronger.pk


def test_a_third_mark_is_refused_with_the_two_already_chosen_named(auth_client, challenge, user):
    first, second, third = (scored(challenge, user, score) for score in (0.1, 0.2, 0.3))
    final(auth_client, first)
    final(auth_client, second)

    response = final(auth_client, third)

    assert response.status_code == 409
    assert (
        f"already selected 2 final submissions ({first.pk}, {second.pk}). Unselect one first"
        in (response.json()["error"])
    )
    assert final(auth_client, second, selected=False).json()["is_final"] is False
    assert final(auth_client, third).status_code == 200


def test_unmarking_every_submission_returns_to_the_best_public_ones(auth_client, challenge, user):
    scored(challenge, user, 0.9, 0.3)
    second_public = scored(challenge, user, 0.85, 0.35)
    chosen = scored(challenge, user, 0.2, 0.8)
    final(auth_client, chosen)
    assert private_entry(challenge, user).submission_id == chosen.pk

    final(auth_client, chosen, selected=False)

    assert private_entry(challenge, user).submission_id == second_public.pk


def test_only_scored_submissions_can_be_marked(auth_client, challenge, user):
    waiting = submit(challenge, user)
    failed = finish(submit(challenge, user), None)

    for submission, status in ((waiting, "queued"), (failed, "failed")):
        response = final(auth_client, submission)
        assert response.status_code == 409
        assert f"is {status}; only scored submissions can be selected as final" in response.json()["error"]


def test_another_learners_submission_cannot_be_marked(auth_client, challenge, other_user, admin_user):
    theirs = scored(challenge, other_user, 0.5)
    assert final(auth_client, theirs).status_code == 404

    auth_client.force_authenticate(admin_user)  # staff may see it, but the choice is the learner's alone
    response = final(auth_client, theirs)
    assert response.status_code == 403
    assert "Only the members of the team a submission counts for" in response.json()["error"]


def test_final_selections_close_when_the_challenge_ends(auth_client, challenge, user):
    give_an_end_date(challenge)
    chosen = scored(challenge, user, 0.4, 0.9)
    end_challenge(challenge)

    response = final(auth_client, chosen)

    assert response.status_code == 409
    assert "final selections are closed" in response.json()["error"]
    assert private_entry(challenge, user).submission_id == chosen.pk  # chosen automatically: the only one


def test_the_mark_is_shown_on_the_submission(auth_client, challenge, user):
    chosen = scored(challenge, user, 0.4)
    final(auth_client, chosen)

    assert auth_client.get(f"/api/v1/submissions/{chosen.pk}/").json()["is_final"] is True
