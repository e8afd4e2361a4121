"""What a team keeps when its name changes, it merges, or a member's account is deleted.

The rules chosen (docs/teams.md says them too):
- The top-score history names each point by the team its submission counts for *now*, as the boards do: a team
  renamed by a host shows its new name, a team merged into another shows the merged team's name.
- Deleting a learner's account keeps the teams they were in: a leader's team passes to its longest-standing
  remaining member, and the team's submissions stay with it (their author is then unknown), so its row and its
  members' ranks do not move. A team that had no one else is gone, with its submissions (as a team left empty).
"""

import pytest

from submissions.leaderboard import top_score_history
from submissions.models import LeaderboardEntry, Participant, Submission, TeamMember, TopScoreChange
from submissions.services.teams import team_create, team_join, team_merge_accept, team_merge_request
from tests.factories import UserFactory
from tests.leaderboards.conftest import board, scored

pytestmark = pytest.mark.django_db


def tops(challenge) -> list[tuple]:
    return [(p["participant"], p["score"]) for p in top_score_history(challenge=challenge, split="public")]


@pytest.fixture
def ada_ben_cy(db):
    return UserFactory(username="ada"), UserFactory(username="ben"), UserFactory(username="cy")


def test_the_history_names_a_team_by_its_current_name_after_a_rename(challenge, ada_ben_cy):
    ada, _, cy = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    scored(challenge, ada, 0.6)
    scored(challenge, cy, 0.7)
    owls.name = "Night Owls"  # a host renames it in the admin
    owls.save(update_fields=["name"])
    assert tops(challenge) == [("Night Owls", 0.6), ("cy", 0.7)]


def test_after_a_merge_the_history_names_the_merged_team_and_records_no_new_top(challenge, ada_ben_cy):
    ada, ben, cy = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    hawks = team_create(challenge=challenge, user=ben, name="Hawks")
    scored(challenge, ben, 0.8)  # Hawks hold the top
    scored(challenge, ada, 0.6)
    scored(challenge, cy, 0.7)
    changes = TopScoreChange.objects.count()
    request = team_merge_request(challenge=challenge, user=ben, team=owls)
    team_merge_accept(challenge=challenge, user=ada, request_id=request.pk)
    assert not Participant.objects.filter(pk=hawks.pk).exists()
    # The same submission still holds the top, now for Owls: no change of the top score to record.
    assert TopScoreChange.objects.count() == changes
    assert tops(challenge) == [("Owls", 0.8)]


def test_deleting_the_leaders_account_passes_the_team_to_the_longest_standing_member(
    api_client, challenge, ada_ben_cy
):
    ada, ben, cy = ada_ben_cy
    dee = UserFactory(username="dee")
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    team_join(challenge=challenge, user=cy, invite_code=owls.invite_code)
    best = scored(challenge, ada, 0.9)  # the team's best is the leaver's own submission
    scored(challenge, ben, 0.5)
    scored(challenge, dee, 0.7)

    ada.delete()

    owls.refresh_from_db()
    assert owls.user_id == ben.pk
    assert list(TeamMember.objects.filter(participant=owls).values_list("user__username", flat=True)) == [
        "ben",
        "cy",
    ]
    kept = Submission.objects.get(pk=best.pk)
    assert kept.participant_id == owls.pk and kept.user_id is None and kept.author_name == "a deleted account"
    assert Submission.objects.filter(participant=owls).count() == 2
    assert set(LeaderboardEntry.objects.filter(participant=owls).values_list("user_id", flat=True)) == {
        ben.pk
    }
    rows = board(api_client, challenge)
    assert [(r["rank"], r["participant"], r["score"], r["members"]) for r in rows] == [
        (1, "Owls", 0.9, ["ben", "cy"]),
        (2, "dee", 0.7, ["dee"]),
    ]
    assert tops(challenge)[-1] == ("Owls", 0.9)


def test_deleting_a_members_account_keeps_their_submissions_with_the_team(challenge, ada_ben_cy):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    made = scored(challenge, ben, 0.8)

    ben.delete()

    assert Submission.objects.get(pk=made.pk).participant_id == owls.pk
    assert LeaderboardEntry.objects.get(participant=owls, split="public").submission_id == made.pk
    owls.refresh_from_db()
    assert owls.user_id == ada.pk


def test_deleting_a_learner_on_their_own_removes_their_team_and_its_submissions(
    api_client, challenge, ada_ben_cy
):
    ada, ben, _ = ada_ben_cy
    scored(challenge, ada, 0.9)
    owls = team_create(challenge=challenge, user=ben, name="Owls")  # a named team of one
    scored(challenge, ben, 0.8)

    ada.delete()
    ben.delete()

    assert not Participant.objects.filter(challenge=challenge).exists()
    assert not Submission.objects.filter(challenge=challenge).exists()
    assert not LeaderboardEntry.objects.filter(participant=owls.pk).exists()
    assert board(api_client, challenge) == []


def test_deleting_every_member_at_once_removes_the_team(challenge, ada_ben_cy):
    ada, ben, cy = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    scored(challenge, ben, 0.8)
    scored(challenge, cy, 0.5)

    type(ada).objects.filter(pk__in=[ada.pk, ben.pk]).delete()  # as the admin's bulk delete does

    assert not Participant.objects.filter(pk=owls.pk).exists()
    assert list(Submission.objects.values_list("user__username", flat=True)) == ["cy"]


def test_a_teammate_sees_a_deleted_authors_submission(client, challenge, user, ada_ben_cy):
    ada = ada_ben_cy[0]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=user, invite_code=owls.invite_code)
    made = scored(challenge, ada, 0.8)
    ada.delete()
    client.force_login(user)
    page = client.get(f"/submissions/{made.pk}/")
    assert page.status_code == 200 and "by a deleted account" in page.content.decode()
    listed = client.get(f"/challenges/{challenge.slug}/submissions/")
    assert listed.status_code == 200
    mine = client.get(f"/api/v1/challenges/{challenge.slug}/submissions/")
    assert mine.status_code == 200 and [s["id"] for s in mine.json()["results"]] == [made.pk]
