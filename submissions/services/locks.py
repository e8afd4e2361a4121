"""The row locks of submissions, and the one order they are taken in.

Lock order: the team's row (participant_lock, team_lock; several teams in ascending id, _lock) first,
then a board's row (submissions/leaderboard/writes.py board_lock, taken inside leaderboard_refresh_participant and
board_recount), public board before private. Every write that changes what a board shows takes the team's lock
first, so two transactions never wait on each other's locks the other way round; a transaction that needs only a
board (leaderboard_rebuild's recount) takes the board's lock alone.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from projects.models import Challenge

from ..models import Participant, Submission, TeamMember

LOCK_ATTEMPTS = 5


def participant_lock(*, challenge: Challenge, user: AbstractBaseUser | int) -> Participant:
    """The learner's team (a team of one, created now, if they are in none), locked until the transaction ends:
    the team's submissions are counted in turn, whichever member sends them, and its leaderboard entries are
    recomputed by one transaction at a time. `user` may be a user or its id. See team_lock."""
    return team_lock(challenge=challenge, user=user)[0]


def _user_id(user: AbstractBaseUser | int) -> int:
    return user if isinstance(user, int) else user.pk


def _lock(*participant_ids: int) -> dict[int, Participant]:
    """Lock the rows one at a time in ascending id, the one order every team change takes (no deadlock)."""
    locked = {}
    for participant_id in sorted(set(participant_ids)):
        row = Participant.objects.select_for_update().filter(pk=participant_id).first()
        if row is not None:
            locked[participant_id] = row
    return locked


def _membership(challenge: Challenge, user_id: int) -> int | None:
    return (
        TeamMember.objects.filter(challenge=challenge, user_id=user_id)
        .values_list("participant_id", flat=True)
        .first()
    )


def _solo_team_create(challenge: Challenge, user_id: int) -> None:
    """A team of one for a learner in no team. Two first uploads at once: the second waits on the unique index of
    the membership, fails, and rolls back to its savepoint; the caller then reads the first one's team."""
    try:
        with transaction.atomic():
            participant, _ = Participant.objects.get_or_create(challenge=challenge, user_id=user_id)
            TeamMember.objects.create(challenge=challenge, user_id=user_id, participant=participant)
    except IntegrityError:
        pass


def team_lock(
    *, challenge: Challenge, user: AbstractBaseUser | int, also: int | None = None
) -> tuple[Participant, Participant | None]:
    """The learner's team, locked until the transaction ends, created as a team of one if they are in none;
    and, if `also` is given, that team too, locked in the one order. Precondition: inside a transaction.

    The membership is read again after the lock: a join or a leave that committed meanwhile moved the learner,
    and then the locks are taken again for the team they are in now.
    """
    user_id = _user_id(user)
    for _ in range(LOCK_ATTEMPTS):
        team_id = _membership(challenge, user_id)
        if team_id is None:
            _solo_team_create(challenge, user_id)
            continue
        locked = _lock(team_id, *([also] if also is not None else []))
        if team_id in locked and _membership(challenge, user_id) == team_id:
            return locked[team_id], locked.get(also) if also is not None else None
    raise RuntimeError(f"The team of learner {user_id} in challenge {challenge.pk} kept changing")


def team_lock_of_submission(*, submission_id: int) -> Participant | None:
    """The row of the team a submission counts for, locked; None for a row older than teams. The submission is
    read again under the lock, since a merge that committed meanwhile moves it to the merged team."""
    for _ in range(LOCK_ATTEMPTS):
        team_id = Submission.objects.filter(pk=submission_id).values_list("participant_id", flat=True).first()
        if team_id is None:
            return None
        locked = _lock(team_id)
        if team_id in locked and Submission.objects.filter(pk=submission_id, participant_id=team_id).exists():
            return locked[team_id]
    raise RuntimeError(f"The team of submission {submission_id} kept changing")


def team_lock_by_id(*, participant_id: int) -> Participant | None:
    """A team's row, locked until the transaction ends; None if it is gone (merged into another)."""
    return _lock(participant_id).get(participant_id)
