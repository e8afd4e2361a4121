"""A host's disqualifications: a submission, or a participant's every submission, hidden from the boards."""

from django.db import transaction

from ..leaderboard import leaderboard_refresh_participant
from ..models import Participant, Submission
from .locks import participant_lock


def submission_set_disqualified(*, submission: Submission, disqualified: bool = True) -> None:
    """Hide a submission from the boards (or show it again); the participant's next best takes its place."""
    with transaction.atomic():
        participant_lock(challenge=submission.challenge, user=submission.user_id)
        submission.is_disqualified = disqualified
        submission.save(update_fields=["is_disqualified"])
        leaderboard_refresh_participant(challenge=submission.challenge, user_id=submission.user_id)


def participant_set_disqualified(*, participant: Participant, disqualified: bool = True) -> None:
    """Hide every submission of a participant from the boards (or show them again)."""
    with transaction.atomic():
        participant = participant_lock(challenge=participant.challenge, user=participant.user_id)
        participant.is_disqualified = disqualified
        participant.save(update_fields=["is_disqualified"])
        leaderboard_refresh_participant(challenge=participant.challenge, user_id=participant.user_id)
