"""Recomputing the boards from the stored scores: a participant, a whole challenge, the rolling windows.

(The board's own writes and reads are in the submissions/leaderboard/ package; these are the jobs that call them
under the participant lock.)
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects.models import Challenge

from ..leaderboard import board_lock, board_recount, leaderboard_refresh_participant
from ..models import LeaderboardEntry, Participant
from .locks import team_lock_by_id


def participant_refresh(*, challenge: Challenge, participant_id: int) -> None:
    """A team's entries recomputed in a transaction of its own, under the team's lock."""
    with transaction.atomic():
        team_lock_by_id(participant_id=participant_id)
        leaderboard_refresh_participant(challenge=challenge, participant_id=participant_id)


def leaderboard_rebuild(*, challenge: Challenge) -> int:
    """Recompute every participant's entries and each board's size from the stored scores, e.g. after a repair
    of the data. (A changed metric needs new scores: rescore instead, and the entries follow.)

    One short transaction per participant under its lock, so scoring goes on meanwhile. Returns the count.
    """
    participant_ids = list(Participant.objects.filter(challenge=challenge).values_list("pk", flat=True))
    for participant_id in participant_ids:
        participant_refresh(challenge=challenge, participant_id=participant_id)
    for split in LeaderboardEntry.Split.values:
        with transaction.atomic():
            board_recount(board=board_lock(challenge=challenge, split=split))
    return len(participant_ids)


def leaderboards_roll() -> int:
    """Refresh the participants whose entry on a rolling board (a practice problem that never ends) is older
    than the window, so their next best recent submission takes its place or they leave the board. Run hourly
    by Celery beat. Returns how many participants were refreshed."""
    days = settings.HUB_ROLLING_LEADERBOARD_DAYS
    if not days:
        return 0
    stale = set(
        LeaderboardEntry.objects.filter(
            challenge__end_at__isnull=True,
            is_baseline=False,
            submitted_at__lt=timezone.now() - dt.timedelta(days=days),
        ).values_list("challenge_id", "participant_id")
    )
    challenges = Challenge.objects.in_bulk({challenge_id for challenge_id, _ in stale})
    for challenge_id, participant_id in sorted(stale):
        participant_refresh(challenge=challenges[challenge_id], participant_id=participant_id)
    return len(stale)
