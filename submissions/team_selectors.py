"""Reads of teams: a learner's team, its members, its merge requests and the submissions it has used."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from projects.models import Challenge
from projects.selectors import challenge_private_visible

from .models import LeaderboardEntry, Participant, Submission, TeamMember, TeamMergeRequest


def _utc_day_start(now: dt.datetime) -> dt.datetime:
    # The same day as the daily limit's (selectors.utc_day_start), without importing the leaderboard's module.
    now = now.astimezone(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _with_members(queryset: QuerySet[Participant]) -> QuerySet[Participant]:
    return queryset.select_related("user", "challenge").prefetch_related(
        Prefetch("members", queryset=TeamMember.objects.select_related("user").order_by("joined_at", "id"))
    )


def team_of(*, challenge: Challenge, user: AbstractBaseUser) -> Participant | None:
    """The learner's team in the challenge with its members; None until they upload, create or join one."""
    if not user.is_authenticated:
        return None
    return _with_members(Participant.objects.filter(challenge=challenge, members__user=user)).first()


def team_get(*, challenge: Challenge, team_id: int) -> Participant:
    team = _with_members(Participant.objects.filter(challenge=challenge, pk=team_id)).first()
    if team is None:
        raise Http404(f"There is no team {team_id} in {challenge.title}.")
    return team


def team_find(*, challenge: Challenge, team: str) -> Participant | None:
    """A team named by its number or its name (any case), as a leader types it when asking to merge."""
    teams = Participant.objects.filter(challenge=challenge)
    if team.isdigit() and len(team) < 19:
        found = teams.filter(pk=int(team)).first()
        if found is not None:
            return found
    return teams.filter(name__iexact=team.strip()).exclude(name="").first()


def team_member_count(participant: Participant) -> int:
    return TeamMember.objects.filter(participant=participant).count()


def team_is_solo(participant: Participant) -> bool:
    """A learner on their own: no name and nobody else. Such a team is the learner, and never shows as a team."""
    return not participant.name and team_member_count(participant) <= 1


@dataclass(frozen=True)
class TeamUsage:
    today: int
    total: int


def team_usage(*, participants: list[Participant], now: dt.datetime) -> TeamUsage:
    """Submissions the teams made today and in total, together; failed ones do not count (as for the limits)."""
    counts = (
        Submission.objects.filter(participant__in=participants)
        .exclude(status=Submission.Status.FAILED)
        .aggregate(total=Count("pk"), today=Count("pk", filter=Q(created_at__gte=_utc_day_start(now))))
    )
    return TeamUsage(today=counts["today"], total=counts["total"])


def merge_requests_of(*, participant: Participant) -> dict[str, list[TeamMergeRequest]]:
    """The team's pending merge requests: those it sent and those it may accept."""
    requests = TeamMergeRequest.objects.select_related("sender__user", "receiver__user")
    return {
        "sent": list(requests.filter(sender=participant)),
        "received": list(requests.filter(receiver=participant)),
    }


def team_by_invite(*, challenge: Challenge, invite_code: str) -> Participant | None:
    """The named team an invite code opens; a learner on their own has a code too, but nothing to join."""
    return _with_members(
        Participant.objects.filter(challenge=challenge, invite_code=str(invite_code).strip()).exclude(name="")
    ).first()


def team_best_scores(*, team: Participant) -> list[LeaderboardEntry]:
    """The team's entries on the boards it may be seen on: the private one only once it is visible."""
    if team.is_disqualified:
        return []
    entries = LeaderboardEntry.objects.filter(participant=team, is_baseline=False)
    if not challenge_private_visible(team.challenge):
        entries = entries.filter(split=LeaderboardEntry.Split.PUBLIC)
    return list(entries.order_by("split", "-sort_score"))


def submission_team(submission: Submission) -> tuple[int, str]:
    """(id, name) of the team a submission counts for, as the client protocols report it. Rows older than teams
    have none: their author stands for it, as before."""
    if submission.participant_id is None:
        return submission.user_id, submission.user.get_username()
    return submission.participant_id, submission.participant.display_name


def teams_of_user(*, user: AbstractBaseUser) -> QuerySet[Participant]:
    """Every team the learner is in, one a challenge, newest challenge first."""
    return _with_members(Participant.objects.filter(members__user=user)).order_by(
        "-challenge__start_at", "-pk"
    )


def team_has_member(*, participant_id: int | None, user: AbstractBaseUser) -> bool:
    return (
        participant_id is not None
        and TeamMember.objects.filter(participant_id=participant_id, user_id=user.pk).exists()
    )
