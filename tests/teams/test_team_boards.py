"""Leaderboards rank teams: one row per team with its best entry, the team and its members on the row, my row
for my team, final selection per team, a disqualified team hidden, and everything recomputed when teams form,
merge or lose a member, exactly as a rebuild from scratch would compute it."""

import pytest
from rest_framework.test import APIClient

from submissions.errors import SubmissionRefused
from submissions.models import LeaderboardEntry, Participant, Submission
from submissions.services.final_selection import submission_set_final
from submissions.services.leaderboard_jobs import leaderboard_rebuild
from submissions.services.moderation import participant_set_disqualified
from submissions.services.teams import (
    team_create,
    team_join,
    team_leave,
    team_merge_accept,
    team_merge_request,
)
from tests.factories import UserFactory
from tests.leaderboards.conftest import board, end_challenge, scored

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def rows_of(client, challenge, **params) -> list[tuple]:
    return [
        (r["rank"], r["participant"], r["score"], r["members"]) for r in board(client, challenge, **params)
    ]


@pytest.fixture
def ada_ben_cy(db):
    return UserFactory(username="ada"), UserFactory(username="ben"), UserFactory(username="cy")


def test_one_row_per_team_with_its_best_entry_and_its_members(api_client, challenge, ada_ben_cy):
    ada, ben, cy = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    scored(challenge, ada, 0.6)
    scored(challenge, ben, 0.8)
    scored(challenge, cy, 0.7)
    rows = board(api_client, challenge)
    assert [(r["rank"], r["participant"], r["score"], r["entries"]) for r in rows] == [
        (1, "Owls", 0.8, 2),
        (2, "cy", 0.7, 1),
    ]
    assert rows[0]["team"] == {"id": owls.pk, "name": "Owls"}
    assert rows[0]["members"] == ["ada", "ben"]
    assert rows[1]["team"]["name"] == "cy" and rows[1]["members"] == ["cy"]


def test_a_teams_tie_goes_to_its_earlier_submission_and_teams_tie_by_time(api_client, challenge, ada_ben_cy):
    ada, ben, cy = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    first = scored(challenge, ben, 0.8, minutes_ago=30)
    scored(challenge, ada, 0.8, minutes_ago=10)
    scored(challenge, cy, 0.8, minutes_ago=20)
    assert [r["participant"] for r in board(api_client, challenge)] == ["Owls", "cy"]
    entry = LeaderboardEntry.objects.get(participant=owls, split="public")
    assert entry.submission_id == first.pk


def test_my_row_is_my_teams_even_before_i_submit(challenge, ada_ben_cy):
    ada, ben, cy = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    scored(challenge, cy, 0.9)
    scored(challenge, ada, 0.7)
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    me = client_of(ben).get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/")
    assert me.status_code == 200, me.json()
    assert (me.json()["rank"], me.json()["participant"], me.json()["team"]["id"]) == (2, "Owls", owls.pk)


def test_limits_are_the_teams_and_follow_a_join_and_a_leave(challenge, ada_ben_cy):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    for _ in range(2):
        scored(challenge, ada, 0.5)
    scored(challenge, ben, 0.5)

    def used(user) -> int:
        return client_of(user).get(f"/api/v1/challenges/{challenge.slug}/limits/").json()["used_today"]

    assert (used(ada), used(ben)) == (2, 1)
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    assert (used(ada), used(ben)) == (3, 3)
    team_leave(challenge=challenge, user=ben)
    assert (used(ada), used(ben)) == (3, 0)  # the submissions stay with the team


def test_final_selection_is_per_team_any_member_up_to_two(challenge, ada_ben_cy):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    made = [scored(challenge, member, 0.5 + n / 10) for n, member in enumerate((ada, ben, ada))]
    submission_set_final(submission=made[0], user=ben, is_final=True)  # a teammate's submission
    submission_set_final(submission=made[1], user=ada, is_final=True)
    with pytest.raises(SubmissionRefused) as refused:
        submission_set_final(submission=made[2], user=ben, is_final=True)
    assert "already selected 2" in str(refused.value)
    assert set(Submission.objects.filter(is_final=True).values_list("pk", flat=True)) == {
        made[0].pk,
        made[1].pk,
    }


def test_an_outsider_cannot_select_a_teams_submission(challenge, ada_ben_cy):
    ada, _, cy = ada_ben_cy
    team_create(challenge=challenge, user=ada, name="Owls")
    made = scored(challenge, ada, 0.5)
    with pytest.raises(SubmissionRefused):
        submission_set_final(submission=made, user=cy, is_final=True)


def test_disqualifying_a_team_hides_it_and_private_scores_stay_hidden(api_client, challenge, ada_ben_cy):
    ada, ben, cy = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    scored(challenge, ben, 0.9, 0.1)
    scored(challenge, cy, 0.5, 0.6)
    assert (
        client_of(ada).get(f"/api/v1/challenges/{challenge.slug}/leaderboard/?split=private").status_code
        == 403
    )
    participant_set_disqualified(participant=Participant.objects.get(pk=owls.pk), disqualified=True)
    assert [r["participant"] for r in board(api_client, challenge)] == ["cy"]
    end_challenge(challenge)
    assert [r["participant"] for r in board(api_client, challenge, split="private")] == ["cy"]


def _board_state(challenge) -> list[tuple]:
    return sorted(
        LeaderboardEntry.objects.filter(challenge=challenge).values_list(
            "participant_id",
            "user_id",
            "split",
            "submission_id",
            "score",
            "sort_score",
            "submitted_at",
            "entries",
        )
    )


def test_the_board_after_merges_and_leaves_equals_a_board_rebuilt_from_scratch(api_client, challenge):
    challenge.daily_limit = 50
    challenge.save()
    learners = [UserFactory(username=f"l{n}") for n in range(6)]
    for n, learner in enumerate(learners):
        scored(challenge, learner, 0.3 + n / 20, 0.9 - n / 20)
        scored(challenge, learner, 0.31 + n / 25, 0.5)
    owls = team_create(challenge=challenge, user=learners[0], name="Owls")
    hawks = team_create(challenge=challenge, user=learners[3], name="Hawks")
    team_join(challenge=challenge, user=learners[1], invite_code=owls.invite_code)
    team_join(challenge=challenge, user=learners[4], invite_code=hawks.invite_code)
    request = team_merge_request(challenge=challenge, user=learners[3], team=owls)
    team_merge_accept(challenge=challenge, user=learners[0], request_id=request.pk)
    team_leave(challenge=challenge, user=learners[1])
    scored(challenge, learners[1], 0.99)  # on their own again
    incremental = _board_state(challenge)
    ranks = {
        user.username: client_of(user).get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").json()
        for user in learners
    }

    LeaderboardEntry.objects.filter(challenge=challenge).delete()
    leaderboard_rebuild(challenge=challenge)

    assert _board_state(challenge) == incremental
    assert {
        user.username: client_of(user).get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").json()
        for user in learners
    } == ranks
    rows = board(api_client, challenge)
    assert [r["participant"] for r in rows][:1] == ["l1"]
    assert sorted(r["participant"] for r in rows) == sorted(["Owls", "l1", "l2", "l5"])
    owls_row = next(r for r in rows if r["participant"] == "Owls")
    assert owls_row["members"] == ["l0", "l3", "l4"] and owls_row["entries"] == 8
    assert ranks["l3"]["participant"] == "Owls" and ranks["l0"]["rank"] == ranks["l4"]["rank"]
