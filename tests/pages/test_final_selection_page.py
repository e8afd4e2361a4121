import pytest

from submissions.models import LeaderboardEntry
from tests.scored import scored

pytestmark = pytest.mark.django_db


def test_a_learner_selects_a_submission_as_final_on_its_page_and_the_private_board_uses_it(
    learner_client, challenge, user
):
    best_public = scored(challenge, user, 18)
    chosen = scored(challenge, user, 6)
    page = learner_client.get(f"/submissions/{chosen.pk}/").content.decode()
    assert "Select as final" in page

    response = learner_client.post(f"/submissions/{chosen.pk}/final/", {"final": "1"}, follow=True)

    chosen.refresh_from_db()
    assert chosen.is_final
    assert f"Submission {chosen.pk} now counts for the private leaderboard." in response.content.decode()
    assert "Unselect" in response.content.decode()
    private = LeaderboardEntry.objects.get(challenge=challenge, user=user, split="private")
    assert private.submission_id == chosen.pk != best_public.pk


def test_a_refused_selection_shows_the_reason(learner_client, challenge, user):
    submissions = [scored(challenge, user, 10 + n) for n in range(3)]
    for submission in submissions[:2]:
        learner_client.post(f"/submissions/{submission.pk}/final/", {"final": "1"})

    response = learner_client.post(f"/submissions/{submissions[2].pk}/final/", {"final": "1"}, follow=True)

    submissions[2].refresh_from_db()
    assert not submissions[2].is_final
    assert "already selected 2 final submissions" in response.content.decode()


def test_nobody_selects_another_learners_submission(client, challenge, user, other_user):
    submission = scored(challenge, user, 10)
    client.force_login(other_user)

    response = client.post(f"/submissions/{submission.pk}/final/", {"final": "1"})

    submission.refresh_from_db()
    assert response.status_code == 404 and not submission.is_final
