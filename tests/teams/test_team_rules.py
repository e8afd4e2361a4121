"""The rules of teams, through the services: create, invite, join, leave, remove, hand over, merge."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from submissions.errors import TeamRefused
from submissions.models import Participant, Submission, TeamMember, TeamMergeRequest
from submissions.services.locks import team_lock
from submissions.services.teams import (
    team_create,
    team_invite_rotate,
    team_join,
    team_leader_set,
    team_leave,
    team_member_remove,
    team_merge_accept,
    team_merge_decline,
    team_merge_request,
)
from submissions.team_selectors import team_of
from tests.teams.conftest import submit

pytestmark = pytest.mark.django_db


def members(team: Participant) -> list[str]:
    return sorted(TeamMember.objects.filter(participant=team).values_list("user__username", flat=True))


def refused(reason: str, call, **kwargs) -> str:
    with pytest.raises(TeamRefused) as caught:
        call(**kwargs)
    assert caught.value.code == reason, caught.value.message
    return caught.value.message


def test_a_solo_learner_is_a_team_of_one_from_their_first_upload_with_no_step(challenge, learners):
    ada = learners[0]
    assert team_of(challenge=challenge, user=ada) is None
    submission = submit(challenge, ada)
    team = team_of(challenge=challenge, user=ada)
    assert team is not None and team.name == "" and team.display_name == "ada"
    assert members(team) == ["ada"]
    assert Submission.objects.get(pk=submission.pk).participant_id == team.pk


def test_create_names_the_learners_own_team_and_keeps_its_submissions(challenge, learners):
    ada = learners[0]
    submit(challenge, ada)
    solo = team_of(challenge=challenge, user=ada)
    team = team_create(challenge=challenge, user=ada, name="  Gradient   Descenders ")
    assert team.pk == solo.pk and team.name == "Gradient Descenders" and team.user_id == ada.pk
    assert members(team) == ["ada"]


def test_team_names_are_unique_in_a_challenge_whatever_the_case(challenge, make_challenge, learners):
    ada, ben = learners[:2]
    team_create(challenge=challenge, user=ada, name="Owls")
    message = refused("name_taken", team_create, challenge=challenge, user=ben, name="owls")
    assert "already called 'owls'" in message
    other = make_challenge(slug="other")
    assert team_create(challenge=other, user=ben, name="Owls").name == "Owls"


@pytest.mark.parametrize(
    ("name", "says"), [("   ", "Give the team a name"), ("x" * 61, "at most 60"), ("<b>", "Use letters")]
)
def test_a_bad_team_name_is_refused_with_what_to_change(challenge, learners, name, says):
    assert says in refused("name_invalid", team_create, challenge=challenge, user=learners[0], name=name)


def test_a_member_of_a_team_cannot_create_another(challenge, learners):
    ada, ben = learners[:2]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    assert "Leave it first" in refused(
        "already_in_team", team_create, challenge=challenge, user=ben, name="Hawks"
    )


def test_join_by_invite_code_brings_the_learners_submissions_and_removes_their_team_of_one(
    challenge, learners
):
    ada, ben = learners[:2]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    submit(challenge, ben)
    bens_own = team_of(challenge=challenge, user=ben)
    Submission.objects.filter(user=ben).update(participant=bens_own)
    team = team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    assert team.pk == owls.pk and members(owls) == ["ada", "ben"]
    assert not Participant.objects.filter(pk=bens_own.pk).exists()
    assert set(Submission.objects.filter(user=ben).values_list("participant_id", flat=True)) == {owls.pk}


def test_a_rotated_invite_code_stops_working(challenge, learners):
    ada, ben, cy = learners[:3]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    old = owls.invite_code
    new = team_invite_rotate(challenge=challenge, user=ada).invite_code
    assert new != old
    refused("invite_invalid", team_join, challenge=challenge, user=ben, invite_code=old)
    assert team_join(challenge=challenge, user=ben, invite_code=new).pk == owls.pk
    # Only the leader rotates it.
    refused("not_leader", team_invite_rotate, challenge=challenge, user=ben)
    refused("invite_invalid", team_join, challenge=challenge, user=cy, invite_code="")


def test_a_solo_learners_code_is_no_invitation(challenge, learners):
    ada, ben = learners[:2]
    submit(challenge, ada)
    code = team_of(challenge=challenge, user=ada).invite_code
    refused("invite_invalid", team_join, challenge=challenge, user=ben, invite_code=code)


def test_a_full_team_takes_no_one_more(make_challenge, learners):
    challenge = make_challenge(slug="pairs")
    challenge.max_team_size = 2
    challenge.save()
    ada, ben, cy = learners[:3]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    message = refused("team_full", team_join, challenge=challenge, user=cy, invite_code=owls.invite_code)
    assert message == f"Together you would be 3 members; teams of {challenge.title} have at most 2."


def test_teams_off_when_the_size_is_one(challenge, learners):
    challenge.max_team_size = 1
    challenge.save()
    assert "has no teams" in refused(
        "teams_off", team_create, challenge=challenge, user=learners[0], name="Owls"
    )


def test_the_merger_deadline_stops_joins_merges_and_leaving_with_submissions(challenge, learners):
    ada, ben, cy = learners[:3]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    submit(challenge, ada)
    Submission.objects.filter(user=ada).update(participant=owls)
    challenge.team_merger_deadline = timezone.now() - dt.timedelta(minutes=1)
    challenge.save()
    assert "merger deadline" in refused(
        "merger_deadline", team_join, challenge=challenge, user=cy, invite_code=owls.invite_code
    )
    refused("merger_deadline", team_leave, challenge=challenge, user=ben)
    refused("merger_deadline", team_merge_request, challenge=challenge, user=cy, team=owls)


def test_leave_keeps_the_submissions_with_the_team_and_the_learner_is_on_their_own(challenge, learners):
    ada, ben = learners[:2]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    submission = submit(challenge, ben)
    Submission.objects.filter(pk=submission.pk).update(participant=owls)
    team_leave(challenge=challenge, user=ben)
    assert members(owls) == ["ada"]
    assert Submission.objects.get(pk=submission.pk).participant_id == owls.pk
    assert team_of(challenge=challenge, user=ben) is None
    with transaction.atomic():
        own, _ = team_lock(challenge=challenge, user=ben)
    assert own.pk != owls.pk and members(own) == ["ben"]


def test_the_leader_leaving_hands_the_team_to_the_longest_standing_member(challenge, learners):
    ada, ben, cy = learners[:3]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    team_join(challenge=challenge, user=cy, invite_code=owls.invite_code)
    team_leave(challenge=challenge, user=ada)
    owls.refresh_from_db()
    assert owls.user_id == ben.pk and members(owls) == ["ben", "cy"]


def test_a_team_left_empty_is_gone(challenge, learners):
    ada = learners[0]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    assert team_leave(challenge=challenge, user=ada) is None
    assert not Participant.objects.filter(pk=owls.pk).exists()


def test_the_last_member_leaving_a_team_with_submissions_keeps_them_as_their_own_entry(challenge, learners):
    ada = learners[0]
    submit(challenge, ada)
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    Submission.objects.filter(user=ada).update(participant=owls)
    left = team_leave(challenge=challenge, user=ada)
    assert left.pk == owls.pk and left.name == "" and members(left) == ["ada"]


def test_a_solo_learner_has_no_team_to_leave(challenge, learners):
    submit(challenge, learners[0])
    refused("not_in_team", team_leave, challenge=challenge, user=learners[0])


def test_the_leader_removes_a_member_and_hands_over_leadership(challenge, learners):
    ada, ben, cy = learners[:3]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=owls.invite_code)
    team_join(challenge=challenge, user=cy, invite_code=owls.invite_code)
    refused("not_leader", team_member_remove, challenge=challenge, user=ben, member_id=cy.pk)
    team_member_remove(challenge=challenge, user=ada, member_id=cy.pk)
    assert members(owls) == ["ada", "ben"]
    refused("not_member", team_member_remove, challenge=challenge, user=ada, member_id=cy.pk)
    refused("not_member", team_leader_set, challenge=challenge, user=ada, new_leader_id=cy.pk)
    team_leader_set(challenge=challenge, user=ada, new_leader_id=ben.pk)
    owls.refresh_from_db()
    assert owls.user_id == ben.pk
    refused("not_leader", team_leader_set, challenge=challenge, user=ada, new_leader_id=ada.pk)


def _team_with_submissions(challenge, leader, name: str, count: int, *, others=()) -> Participant:
    team = team_create(challenge=challenge, user=leader, name=name)
    for member in others:
        team_join(challenge=challenge, user=member, invite_code=team.invite_code)
    for _ in range(count):
        submission = submit(challenge, leader)
        Submission.objects.filter(pk=submission.pk).update(participant=team)
    return team


def test_a_merge_over_the_daily_limit_is_refused_with_the_numbers(challenge, learners):
    challenge.daily_limit = 5
    challenge.save()
    ada, ben = learners[:2]
    owls = _team_with_submissions(challenge, ada, "Owls", 4)
    hawks = _team_with_submissions(challenge, ben, "Hawks", 3)
    message = refused("over_daily_limit", team_merge_request, challenge=challenge, user=ben, team=owls)
    assert message == "Together you made 7 submissions today; the daily limit is 5. Merge tomorrow."
    # Failed submissions do not count, as for the limits: with two of them failed, the merge fits.
    failed = list(Submission.objects.filter(participant=hawks).values_list("pk", flat=True)[:2])
    Submission.objects.filter(pk__in=failed).update(status=Submission.Status.FAILED)
    request = team_merge_request(challenge=challenge, user=ben, team=owls)
    merged = team_merge_accept(challenge=challenge, user=ada, request_id=request.pk)
    assert merged.pk == owls.pk and members(owls) == ["ada", "ben"]
    assert Submission.objects.filter(participant=owls).count() == 7
    assert not Participant.objects.filter(pk=hawks.pk).exists()


def test_a_merge_over_the_total_limit_is_refused_with_the_numbers(challenge, learners):
    challenge.daily_limit, challenge.total_limit = 100, 6
    challenge.save()
    ada, ben = learners[:2]
    owls = _team_with_submissions(challenge, ada, "Owls", 4)
    _team_with_submissions(challenge, ben, "Hawks", 3)
    yesterday = timezone.now() - dt.timedelta(days=1)
    Submission.objects.update(created_at=yesterday)
    message = refused("over_total_limit", team_merge_request, challenge=challenge, user=ben, team=owls)
    assert message == "Together you made 7 submissions; the total limit is 6, so these teams cannot merge."


def test_a_merge_over_the_team_size_is_refused(challenge, learners):
    challenge.max_team_size = 3
    challenge.save()
    ada, ben, cy, dee = learners[:4]
    owls = _team_with_submissions(challenge, ada, "Owls", 0, others=[ben])
    _team_with_submissions(challenge, cy, "Hawks", 0, others=[dee])
    message = refused("team_full", team_merge_request, challenge=challenge, user=cy, team=owls)
    assert message == "Together you would be 4 members; teams of Tiny have at most 3.".replace(
        "Tiny", challenge.title
    )


def test_the_merge_rule_is_checked_again_when_accepted(challenge, learners):
    challenge.daily_limit = 5
    challenge.save()
    ada, ben = learners[:2]
    owls = _team_with_submissions(challenge, ada, "Owls", 2)
    hawks = _team_with_submissions(challenge, ben, "Hawks", 2)
    request = team_merge_request(challenge=challenge, user=ben, team=owls)
    for _ in range(2):
        Submission.objects.filter(pk=submit(challenge, ben).pk).update(participant=hawks)
    message = refused(
        "over_daily_limit", team_merge_accept, challenge=challenge, user=ada, request_id=request.pk
    )
    assert "Together you made 6 submissions today; the daily limit is 5." in message
    assert TeamMergeRequest.objects.filter(pk=request.pk).exists()


def test_only_the_receiving_leader_accepts_and_either_leader_declines(challenge, learners):
    ada, ben, cy = learners[:3]
    owls = _team_with_submissions(challenge, ada, "Owls", 0, others=[cy])
    hawks = _team_with_submissions(challenge, ben, "Hawks", 0)
    request = team_merge_request(challenge=challenge, user=ben, team=owls)
    refused("already_requested", team_merge_request, challenge=challenge, user=ben, team=owls)
    refused("not_member", team_merge_accept, challenge=challenge, user=ben, request_id=request.pk)
    refused("not_leader", team_merge_accept, challenge=challenge, user=cy, request_id=request.pk)
    refused("not_leader", team_merge_request, challenge=challenge, user=cy, team=hawks)
    team_merge_decline(challenge=challenge, user=ada, request_id=request.pk)
    refused("not_found", team_merge_accept, challenge=challenge, user=ada, request_id=request.pk)


def test_a_merged_team_keeps_the_receivers_name_and_leader(challenge, learners):
    ada, ben, cy = learners[:3]
    owls = _team_with_submissions(challenge, ada, "Owls", 1)
    hawks = _team_with_submissions(challenge, ben, "Hawks", 1, others=[cy])
    request = team_merge_request(challenge=challenge, user=ada, team=hawks)
    merged = team_merge_accept(challenge=challenge, user=ben, request_id=request.pk)
    assert (merged.pk, merged.name, merged.user_id) == (hawks.pk, "Hawks", ben.pk)
    assert members(hawks) == ["ada", "ben", "cy"]
    assert not Participant.objects.filter(pk=owls.pk).exists()
    assert Submission.objects.filter(participant=hawks).count() == 2


def test_a_learner_is_in_at_most_one_team_of_a_challenge(challenge, learners):
    ada, ben, cy = learners[:3]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    hawks = team_create(challenge=challenge, user=ben, name="Hawks")
    team_join(challenge=challenge, user=cy, invite_code=owls.invite_code)
    refused("already_in_team", team_join, challenge=challenge, user=cy, invite_code=hawks.invite_code)
    refused("already_member", team_join, challenge=challenge, user=cy, invite_code=owls.invite_code)
    assert TeamMember.objects.filter(challenge=challenge, user=cy).count() == 1


def test_teams_do_not_change_after_the_challenge_ended(challenge, learners):
    ada, ben = learners[:2]
    owls = team_create(challenge=challenge, user=ada, name="Owls")
    challenge.start_at = timezone.now() - dt.timedelta(days=2)
    challenge.end_at = timezone.now() - dt.timedelta(days=1)
    challenge.save()
    assert "has ended" in refused(
        "ended", team_join, challenge=challenge, user=ben, invite_code=owls.invite_code
    )


def test_a_merge_or_a_join_whose_final_picks_exceed_the_teams_is_refused_with_the_numbers(
    challenge, learners
):
    """A team marks at most FINAL_SELECTION_MAX submissions final; merging two teams that marked theirs (or a
    learner who marked theirs joining a team that did) would keep more. Every way in is checked."""
    challenge.daily_limit = 100
    challenge.save()
    ada, ben, cy = learners[:3]
    owls = _team_with_submissions(challenge, ada, "Owls", 2)
    hawks = _team_with_submissions(challenge, ben, "Hawks", 2)
    Submission.objects.filter(participant__in=[owls, hawks]).update(is_final=True)
    expected = f"Together you marked 4 submissions final; a team of {challenge.title} marks at most 2."
    message = refused("over_final_selections", team_merge_request, challenge=challenge, user=ben, team=owls)
    assert message.startswith(expected) and "Unmark 2 first" in message
    Submission.objects.filter(participant=hawks).update(is_final=False)
    request = team_merge_request(challenge=challenge, user=ben, team=owls)
    Submission.objects.filter(participant=hawks).update(is_final=True)  # marked again while the request waits
    refused("over_final_selections", team_merge_accept, challenge=challenge, user=ada, request_id=request.pk)
    solo = submit(challenge, cy)
    Submission.objects.filter(pk=solo.pk).update(is_final=True)
    refused("over_final_selections", team_join, challenge=challenge, user=cy, invite_code=owls.invite_code)
    assert members(owls) == ["ada"]
    assert Submission.objects.filter(is_final=True).count() == 5
