"""The row locks of submissions, and the one order they are taken in.

Lock order: the participant's row (participant_lock) first, then a board's row (submissions/leaderboard.py
board_lock, taken inside leaderboard_refresh_participant and board_recount), public board before private. Every
write that changes what a board shows takes the participant's lock first, so two transactions never wait on each
other's locks the other way round; a transaction that needs only a board (leaderboard_rebuild's recount) takes the
board's lock alone.
"""

from django.contrib.auth.models import AbstractBaseUser

from projects.models import Challenge

from ..models import Participant


def participant_lock(*, challenge: Challenge, user: AbstractBaseUser | int) -> Participant:
    """The participant's row, locked until the transaction ends: submissions of one learner are counted in turn,
    and their leaderboard entries are recomputed by one transaction at a time. `user` may be a user or its id.

    On PostgreSQL a second first-time upload waits on the unique index until the first commits, then finds the
    row (get_or_create retries the read after the IntegrityError), so the lock is the same row for both.
    """
    user_id = user if isinstance(user, int) else user.pk
    participant, _ = Participant.objects.get_or_create(challenge=challenge, user_id=user_id)
    return Participant.objects.select_for_update().get(pk=participant.pk)
