"""The issue's team rules walked once more against the code: the cases the other team tests leave open."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from submissions.errors import SubmissionRefused, TeamRefused
from submissions.models import LeaderboardEntry, Participant, Submission, TeamMember
from submissions.services.final_selection import submission_set_final
from submissions.services.leaderboard_jobs import leaderboard_rebuild
from submissions.services.moderation import participant_set_disqualified
from submissions.services.teams import (
    team_create,
    team_join,
    team_leader_set,
    team_leave,
    team_member_remove,
    team_merge_accept,
    team_merge_request,
)
from submissions.team_selectors import team_best_scores, team_of
from tests.factories import UserFactory
from tests.leaderboards.conftest import board, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada_ben_cy(db):
    return UserFactory(username="ada"), UserFactory(username="ben"), UserFactory(username="cy")


def refused(reason: str, call, **kwargs) -> str:
    with pytest.raises(TeamRefused) as caught:
        call(**kwargs)
    assert caught.value.code == reason, caught.value.message
    return caught.value.message


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_removed_member_leaves_their_submissions_with_the_team(challenge, ada_ben_cy):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    made = scored(challenge, ben, 0.9)
    team_member_remove(challenge=challenge, user=ada, member_id=ben.pk)
    assert Submission.objects.get(pk=made.pk).participant_id == owls.pk
    assert LeaderboardEntry.objects.get(participant=owls, split="public").submission_id == made.pk
    assert team_of(challenge=challenge, user=ben) is None
    me = client_of(ben).get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/")
    assert me.status_code == 404  # on their own again, with nothing scored yet


def test_after_the_merger_deadline_a_team_without_submissions_may_still_be_left(challenge, ada_ben_cy):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    challenge.team_merger_deadline = timezone.now() - dt.timedelta(minutes=1)
    challenge.save()
    team_leave(challenge=challenge, user=ben)
    assert list(TeamMember.objects.filter(participant=owls).values_list("user__username", flat=True)) == [
        "ada"
    ]


def test_a_merge_asked_before_the_deadline_cannot_be_accepted_after_it(challenge, ada_ben_cy):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_create(challenge=challenge, user=ben, name="Hawks")
    request = team_merge_request(challenge=challenge, user=ben, team=owls)
    challenge.team_merger_deadline = timezone.now() - dt.timedelta(minutes=1)
    challenge.save()
    message = refused(
        "merger_deadline", team_merge_accept, challenge=challenge, user=ada, request_id=request.pk
    )
    assert "after it you cannot merge teams" in message


def test_with_a_maximum_size_of_one_there_are_no_teams_and_learners_submit_as_before(
    api_client, challenge, ada_ben_cy
):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")  # made while teams were on
    challenge.max_team_size = 1
    challenge.save()
    refused("teams_off", team_join, challenge=challenge, user=ben, invite_code=owls.invite_code)
    scored(challenge, ben, 0.7)
    refused("teams_off", team_merge_request, challenge=challenge, user=ben, team=owls)
    assert [(r["rank"], r["participant"]) for r in board(api_client, challenge)] == [(1, "ben")]


def test_a_member_who_left_can_no_longer_choose_the_teams_finals(challenge, ada_ben_cy):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    made = scored(challenge, ben, 0.6)
    team_leave(challenge=challenge, user=ben)
    with pytest.raises(SubmissionRefused):
        submission_set_final(submission=made, user=ben, is_final=True)
    assert submission_set_final(submission=made, user=ada, is_final=True).is_final


def test_a_disqualified_team_shows_no_scores_and_its_members_no_rank(client, challenge, ada_ben_cy):
    ada, ben, _ = ada_ben_cy
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    scored(challenge, ben, 0.6)
    assert team_best_scores(team=Participant.objects.get(pk=owls.pk))
    participant_set_disqualified(participant=Participant.objects.get(pk=owls.pk), disqualified=True)
    assert team_best_scores(team=Participant.objects.get(pk=owls.pk)) == []
    page = client.get(f"/challenges/{challenge.slug}/teams/{owls.pk}/")
    assert page.status_code == 200 and 'id="team-best"' not in page.content.decode()
    for member in (ada, ben):
        me = client_of(member).get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/")
        assert me.status_code == 404


def _entries(challenge) -> list[tuple]:
    return sorted(
        LeaderboardEntry.objects.filter(challenge=challenge).values_list(
            "participant_id", "user_id", "split", "submission_id", "score", "submitted_at", "entries"
        )
    )


def test_the_board_after_removes_hand_overs_and_a_deleted_leader_equals_a_rebuild(challenge):
    challenge.daily_limit = 50
    challenge.save()
    people = [UserFactory(username=f"p{n}") for n in range(5)]
    owls = team_create(challenge=challenge, user=people[0], name="Owls")
    for person in people[1:4]:
        team_join(challenge=challenge, user=person, invite_code=owls.invite_code)
    for n, person in enumerate(people):
        scored(challenge, person, 0.4 + n / 10, 0.8 - n / 10)
    team_member_remove(challenge=challenge, user=people[0], member_id=people[3].pk)
    scored(challenge, people[3], 0.95)  # on their own now
    team_leader_set(challenge=challenge, user=people[0], new_leader_id=people[2].pk)
    people[2].delete()  # the new leader's account: the team passes to p0, the longest-standing member
    incremental = _entries(challenge)
    ranks = {
        person.username: client_of(person).get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").json()
        for person in (people[0], people[1], people[3], people[4])
    }

    LeaderboardEntry.objects.filter(challenge=challenge).delete()
    leaderboard_rebuild(challenge=challenge)

    assert _entries(challenge) == incremental
    assert Participant.objects.get(pk=owls.pk).user_id == people[0].pk
    assert {
        person.username: client_of(person).get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").json()
        for person in (people[0], people[1], people[3], people[4])
    } == ranks
    assert ranks["p1"]["participant"] == "Owls" and ranks["p1"]["members"] == ["p0", "p1"]


def test_a_page_of_team_rows_reads_all_their_members_in_one_query(
    api_client, challenge, django_assert_max_num_queries
):
    challenge.max_team_size = 4
    challenge.save()
    for team_number in range(6):
        leader, *others = [UserFactory(username=f"t{team_number}m{n}") for n in range(3)]
        team = team_create(challenge=challenge, user=leader, name=f"Team {team_number}")
        for other in others:
            team_join(challenge=challenge, user=other, invite_code=team.invite_code)
        scored(challenge, others[-1], 0.5 + team_number / 100)
    member = UserFactory(username="t9m0")
    team_join(challenge=challenge, user=member, invite_code=team.invite_code)

    # As many queries for six rows of three members as for one learner (tests/submissions/test_leaderboard.py).
    with django_assert_max_num_queries(5):
        rows = board(api_client, challenge, page_size=6)
    assert [len(row["members"]) for row in rows] == [4, 3, 3, 3, 3, 3]
    member_client = client_of(member)
    with django_assert_max_num_queries(5):
        me = member_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/me/").json()
    assert me["rank"] == 1 and len(me["members"]) == 4
    with django_assert_max_num_queries(6):
        mine = member_client.get(f"/api/v1/challenges/{challenge.slug}/team/").json()
    assert len(mine["members"]) == 4
    with django_assert_max_num_queries(6):
        page = api_client.get(f"/challenges/{challenge.slug}/teams/{team.pk}/")
    assert page.status_code == 200
