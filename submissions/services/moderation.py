"""A host's disqualifications: a submission, or a participant's every submission, hidden from the boards."""

from django.db import transaction

from ..leaderboard import leaderboard_refresh_participant
from ..models import Participant, Submission
from .locks import team_lock_by_id, team_lock_of_submission


def submission_set_disqualified(*, submission: Submission, disqualified: bool = True) -> None:
    """Hide a submission from the boards (or show it again); the team's next best takes its place."""
    with transaction.atomic():
        team = team_lock_of_submission(submission_id=submission.pk)
        submission.is_disqualified = disqualified
        submission.save(update_fields=["is_disqualified"])
        if team is not None:
            leaderboard_refresh_participant(challenge=submission.challenge, participant_id=team.pk)


def participant_set_disqualified(*, participant: Participant, disqualified: bool = True) -> None:
    """Hide a team and every submission of it from the boards (or show them again)."""
    with transaction.atomic():
        locked = team_lock_by_id(participant_id=participant.pk)
        if locked is None:
            return  # merged into another team meanwhile
        locked.is_disqualified = disqualified
        locked.save(update_fields=["is_disqualified"])
        leaderboard_refresh_participant(challenge=participant.challenge, participant_id=locked.pk)
