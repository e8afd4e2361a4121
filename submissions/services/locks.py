"""The row locks of submissions, and the one order they are taken in.

Lock order: the team's row (participant_lock; several teams in ascending id, submissions/team_services.py) first,
then a board's row (submissions/leaderboard.py board_lock, taken inside leaderboard_refresh_participant and
board_recount), public board before private. Every write that changes what a board shows takes the team's lock
first, so two transactions never wait on each other's locks the other way round; a transaction that needs only a
board (leaderboard_rebuild's recount) takes the board's lock alone.
"""

from django.contrib.auth.models import AbstractBaseUser

from projects.models import Challenge

from ..models import Participant
from ..team_services import team_lock


def participant_lock(*, challenge: Challenge, user: AbstractBaseUser | int) -> Participant:
    """The learner's team (a team of one, created now, if they are in none), locked until the transaction ends:
    the team's submissions are counted in turn, whichever member sends them, and its leaderboard entries are
    recomputed by one transaction at a time. `user` may be a user or its id. See team_services.team_lock."""
    return team_lock(challenge=challenge, user=user)[0]
