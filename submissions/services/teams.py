"""Writes of teams: create, invite, join, leave, remove a member, hand over leadership, merge.

A team is a Participant row (the unit that submits, is limited and ranks) and its TeamMember rows. Lock order:
every change locks the Participant rows it touches, in ascending id, before it reads what it checks; an upload
locks its team's row the same way (team_lock, in services/locks.py), so a change of membership and a count of the
limits never interleave. Each refusal is a TeamRefused with the reason and the numbers.
"""

import datetime as dt
import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import Challenge
from projects.selectors import challenge_status, submission_caps, team_own_limits

from ..errors import TeamRefused
from ..leaderboard import leaderboard_refresh_participant
from ..leaderboard.writes import FINAL_SELECTION_MAX
from ..models import (
    TEAM_NAME_MAX,
    Participant,
    Submission,
    TeamMember,
    TeamMergeRequest,
    TopScoreChange,
    new_invite_code,
)
from ..team_selectors import team_is_solo, team_member_count, team_usage
from .locks import team_lock

_NAME_CHARACTERS = re.compile(r"^[\w .,'&+()-]+$")


def _is_member(team: Participant, user_id: int) -> bool:
    # An id past the columns' range names nobody (and would overflow the query).
    return 0 < user_id < 2**31 and TeamMember.objects.filter(participant=team, user_id=user_id).exists()


def _check_teams_on(challenge: Challenge) -> None:
    if challenge.max_team_size <= 1:
        raise TeamRefused(
            f"{challenge.title} is for learners on their own: it has no teams.", reason="teams_off"
        )


def _check_before_merger_deadline(challenge: Challenge, *, now: dt.datetime, doing: str) -> None:
    if challenge_status(challenge) == "ended":
        raise TeamRefused(
            f"{challenge.title} has ended; teams no longer change, so you cannot {doing} now.", reason="ended"
        )
    deadline = challenge.team_merger_deadline
    if deadline is not None and now >= deadline:
        raise TeamRefused(
            f"The team merger deadline of {challenge.title} was {deadline:%Y-%m-%d %H:%M} UTC; "
            f"after it you cannot {doing}.",
            reason="merger_deadline",
        )


def _check_leader(team: Participant, user_id: int, doing: str) -> None:
    if team.user_id != user_id:
        raise TeamRefused(
            f"Only the leader of {team.display_name} ({team.user}) can {doing}.", reason="not_leader"
        )


def _check_merge_fits(
    challenge: Challenge, into: Participant, incoming: Participant, now: dt.datetime
) -> None:
    """Kaggle's rule: the merged team must fit the team size and the limits of submissions, today and in all."""
    size = team_member_count(into) + team_member_count(incoming)
    if size > challenge.max_team_size:
        raise TeamRefused(
            f"Together you would be {size} members; teams of {challenge.title} have at most "
            f"{challenge.max_team_size}.",
            reason="team_full",
        )
    usage = team_usage(participants=[into, incoming], now=now)
    # The merged team is `into`: its limits are the ones a host may have set for it, else the challenge's.
    daily_limit, total_limit = submission_caps(
        challenge, team_own_limits(challenge=challenge, participant_id=into.pk)
    )
    if usage.today > daily_limit:
        raise TeamRefused(
            f"Together you made {usage.today} submissions today; the daily limit is {daily_limit}. "
            "Merge tomorrow.",
            reason="over_daily_limit",
        )
    if total_limit is not None and usage.total > total_limit:
        raise TeamRefused(
            f"Together you made {usage.total} submissions; the total limit is {total_limit}, "
            "so these teams cannot merge.",
            reason="over_total_limit",
        )
    finals = Submission.objects.filter(participant__in=[into, incoming], is_final=True).count()
    if finals > FINAL_SELECTION_MAX:
        raise TeamRefused(
            f"Together you marked {finals} submissions final; a team of {challenge.title} marks at most "
            f"{FINAL_SELECTION_MAX}. Unmark {finals - FINAL_SELECTION_MAX} first, then merge.",
            reason="over_final_selections",
        )


def team_name_clean(name: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise TeamRefused("Give the team a name.", reason="name_invalid")
    if len(cleaned) > TEAM_NAME_MAX:
        raise TeamRefused(
            f"The name has {len(cleaned)} characters; a team name has at most {TEAM_NAME_MAX}.",
            reason="name_invalid",
        )
    if not _NAME_CHARACTERS.match(cleaned):
        raise TeamRefused(
            "Use letters, digits, spaces and . , ' & + ( ) - _ in a team name.", reason="name_invalid"
        )
    return cleaned


def _check_name_free(challenge: Challenge, name: str, *, keep: Participant | None = None) -> None:
    taken = Participant.objects.filter(challenge=challenge, name__iexact=name)
    if keep is not None:
        taken = taken.exclude(pk=keep.pk)
    if taken.exists():
        raise TeamRefused(
            f"A team of {challenge.title} is already called '{name}'. Choose another name.",
            reason="name_taken",
        )


def _merge(*, challenge: Challenge, into: Participant, incoming: Participant) -> Participant:
    """Move the members and the submissions of `incoming` into `into` and delete `incoming`, left empty.

    Precondition: both rows locked. The leaderboard entries follow the submissions (teams_changed)."""
    TeamMember.objects.filter(participant=incoming).update(participant=into)
    Submission.objects.filter(participant=incoming).update(participant=into)
    # The top-score history names each point by the team its submission counts for now, as the boards do.
    TopScoreChange.objects.filter(participant=incoming).update(participant=into)
    if incoming.is_disqualified and not into.is_disqualified:
        into.is_disqualified = True  # a disqualified team does not come back by merging into another
        into.save(update_fields=["is_disqualified"])
    # The merged team's entries take its new best first, then the incoming team's leave the boards (it has no
    # submissions now) before its row goes, so the boards' sizes are recounted. In this order the board's top
    # never passes through a third team in between, which the top-score history would record.
    teams_changed(challenge=challenge, participant_ids=[into.pk, incoming.pk])
    incoming.delete()  # its merge requests go with it
    return into


def teams_changed(*, challenge: Challenge, participant_ids: list[int]) -> None:
    """After a change of membership: what is derived from a team's submissions is recomputed for these teams,
    their entries on both boards (a team that is gone leaves them), and with them the boards' sizes and every
    member's rank. Limits need nothing: they are counted from the team's submissions at each upload.
    Precondition: their rows locked."""
    for participant_id in participant_ids:
        leaderboard_refresh_participant(challenge=challenge, participant_id=participant_id)


@transaction.atomic
def team_create(*, challenge: Challenge, user: AbstractBaseUser, name: str) -> Participant:
    """Name the learner's team of one: it keeps its submissions and becomes a team others can join."""
    _check_teams_on(challenge)
    name = team_name_clean(name)
    team, _ = team_lock(challenge=challenge, user=user)
    if not team_is_solo(team):
        raise TeamRefused(
            f"You are already in the team {team.display_name}. Leave it first to create another.",
            reason="already_in_team",
        )
    _check_name_free(challenge, name)
    team.name = name
    team.invite_code = new_invite_code()
    try:
        with transaction.atomic():
            team.save(update_fields=["name", "invite_code"])
    except IntegrityError:  # another team took the name between the check and the write
        raise TeamRefused(
            f"A team of {challenge.title} is already called '{name}'. Choose another name.",
            reason="name_taken",
        ) from None
    return team


@transaction.atomic
def team_invite_rotate(*, challenge: Challenge, user: AbstractBaseUser) -> Participant:
    """A new invite code; the old link stops working."""
    team, _ = team_lock(challenge=challenge, user=user)
    if team_is_solo(team):
        raise TeamRefused(
            "You are not in a team: create one first, then invite others.", reason="not_in_team"
        )
    _check_leader(team, user.pk, "change the invite link")
    team.invite_code = new_invite_code()
    team.save(update_fields=["invite_code"])
    return team


@transaction.atomic
def team_join(*, challenge: Challenge, user: AbstractBaseUser, invite_code: str) -> Participant:
    """Join the team with this invite code. A learner's own submissions (as a team of one) come along, so
    joining is a merge and meets its rule: the size and the limits of the joined team."""
    _check_teams_on(challenge)
    target = Participant.objects.filter(challenge=challenge, invite_code=str(invite_code).strip()).first()
    if target is None or team_is_solo(target):
        raise TeamRefused(
            f"No team of {challenge.title} has this invite code. Ask its leader for the current link: "
            "a rotated code stops working.",
            reason="invite_invalid",
        )
    now = timezone.now()
    own, target = team_lock(challenge=challenge, user=user, also=target.pk)
    if target is None:
        raise TeamRefused("That team no longer exists.", reason="invite_invalid")
    if own.pk == target.pk:
        raise TeamRefused(f"You are already in {target.display_name}.", reason="already_member")
    if not team_is_solo(own):
        raise TeamRefused(
            f"You are in the team {own.display_name}. Leave it first, or ask its leader to merge the two teams.",
            reason="already_in_team",
        )
    _check_before_merger_deadline(challenge, now=now, doing="join a team")
    _check_merge_fits(challenge, target, own, now)
    return _merge(challenge=challenge, into=target, incoming=own)


def _leave(*, challenge: Challenge, team: Participant, user_id: int, now: dt.datetime) -> Participant | None:
    """Take the learner out of the locked team. Its submissions stay with it; a team left empty is gone, and a
    team of one that leaves its name with submissions is the learner's own entry again."""
    others = list(
        TeamMember.objects.filter(participant=team).exclude(user_id=user_id).order_by("joined_at", "id")
    )
    if not others:
        if Submission.objects.filter(participant=team).exists():
            team.name = ""
            team.save(update_fields=["name"])
            TeamMergeRequest.objects.filter(receiver=team).delete()
            return team
        team.delete()  # no submissions, so no entries
        return None
    if Submission.objects.filter(participant=team).exists():
        _check_before_merger_deadline(challenge, now=now, doing="leave a team that has submissions")
    if team.user_id == user_id:
        team.user_id = others[0].user_id  # the longest-standing member leads next
        team.save(update_fields=["user"])
    TeamMember.objects.filter(participant=team, user_id=user_id).delete()
    teams_changed(challenge=challenge, participant_ids=[team.pk])
    return team


@transaction.atomic
def team_leave(*, challenge: Challenge, user: AbstractBaseUser) -> Participant | None:
    """Leave the team: the learner is on their own again (a team of one from their next upload). Returns the
    team left, or None if it was gone with them."""
    team, _ = team_lock(challenge=challenge, user=user)
    if team_is_solo(team):
        raise TeamRefused(
            f"You are not in a team of {challenge.title}: there is none to leave.", reason="not_in_team"
        )
    return _leave(challenge=challenge, team=team, user_id=user.pk, now=timezone.now())


@transaction.atomic
def team_member_remove(*, challenge: Challenge, user: AbstractBaseUser, member_id: int) -> Participant:
    """The leader takes a member out of the team; the member is on their own again."""
    team, _ = team_lock(challenge=challenge, user=user)
    _check_leader(team, user.pk, "remove a member")
    if member_id == user.pk:
        raise TeamRefused(
            "You lead the team: hand the leadership to another member first, or leave it.",
            reason="not_member",
        )
    if not _is_member(team, member_id):
        raise TeamRefused(f"Learner {member_id} is not a member of {team.display_name}.", reason="not_member")
    _leave(challenge=challenge, team=team, user_id=member_id, now=timezone.now())
    return team


@transaction.atomic
def team_leader_set(*, challenge: Challenge, user: AbstractBaseUser, new_leader_id: int) -> Participant:
    """Hand the leadership to another member."""
    team, _ = team_lock(challenge=challenge, user=user)
    _check_leader(team, user.pk, "hand over the leadership")
    if not _is_member(team, new_leader_id):
        raise TeamRefused(
            f"Learner {new_leader_id} is not a member of {team.display_name}; only a member can lead it.",
            reason="not_member",
        )
    team.user_id = new_leader_id
    team.save(update_fields=["user"])
    teams_changed(challenge=challenge, participant_ids=[team.pk])
    return team


@transaction.atomic
def team_merge_request(
    *, challenge: Challenge, user: AbstractBaseUser, team: Participant
) -> TeamMergeRequest:
    """The learner's team (they lead it) asks to merge into `team`; its leader accepts or declines. Checked now
    so a request that cannot succeed is refused at once, and again at the acceptance."""
    _check_teams_on(challenge)
    now = timezone.now()
    own, receiver = team_lock(challenge=challenge, user=user, also=team.pk)
    if receiver is None or receiver.challenge_id != challenge.pk:
        raise TeamRefused(f"There is no such team in {challenge.title}.", reason="not_found")
    if own.pk == receiver.pk:
        raise TeamRefused("That is your own team.", reason="already_member")
    _check_leader(own, user.pk, "ask to merge")
    _check_before_merger_deadline(challenge, now=now, doing="merge teams")
    _check_merge_fits(challenge, receiver, own, now)
    request, created = TeamMergeRequest.objects.get_or_create(
        challenge=challenge, sender=own, receiver=receiver, defaults={"created_by": user}
    )
    if not created:
        raise TeamRefused(
            f"You already asked {receiver.display_name} to merge; its leader has not answered yet.",
            reason="already_requested",
        )
    return request


def _merge_request_get(challenge: Challenge, request_id: int) -> TeamMergeRequest:
    in_range = 0 < request_id < 2**63
    request = (
        TeamMergeRequest.objects.filter(challenge=challenge, pk=request_id).first() if in_range else None
    )
    if request is None:
        raise TeamRefused(
            f"There is no pending merge request {request_id} in {challenge.title}: it was answered, withdrawn, "
            "or one of its teams changed.",
            reason="not_found",
        )
    return request


@transaction.atomic
def team_merge_accept(*, challenge: Challenge, user: AbstractBaseUser, request_id: int) -> Participant:
    """The receiving team's leader accepts: the sender's members and submissions join the receiver's team,
    which keeps its name and leader. The rule is checked again under both locks."""
    request = _merge_request_get(challenge, request_id)
    now = timezone.now()
    own, sender = team_lock(challenge=challenge, user=user, also=request.sender_id)
    if own.pk != request.receiver_id or sender is None:
        raise TeamRefused(f"Merge request {request_id} is not addressed to your team.", reason="not_member")
    _check_leader(own, user.pk, "accept a merge")
    _check_before_merger_deadline(challenge, now=now, doing="merge teams")
    _check_merge_fits(challenge, own, sender, now)
    return _merge(challenge=challenge, into=own, incoming=sender)


@transaction.atomic
def team_merge_decline(*, challenge: Challenge, user: AbstractBaseUser, request_id: int) -> None:
    """The receiver's leader declines, or the sender's leader withdraws."""
    request = _merge_request_get(challenge, request_id)
    own, _ = team_lock(challenge=challenge, user=user)
    if own.pk not in (request.sender_id, request.receiver_id):
        raise TeamRefused(f"Merge request {request_id} is not one of your team's.", reason="not_member")
    _check_leader(own, user.pk, "answer a merge request")
    request.delete()
