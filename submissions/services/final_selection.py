"""The learner's choice of (at most FINAL_SELECTION_MAX) submissions for the private leaderboard."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from learning.services.milestones import milestones_award_on_commit
from projects.selectors import challenge_status

from ..errors import Reason, SubmissionRefused
from ..leaderboard import FINAL_SELECTION_MAX, leaderboard_refresh_participant
from ..models import Submission
from ..team_selectors import team_has_member, team_is_solo
from .locks import team_lock_of_submission


def submission_set_final(*, submission: Submission, user: AbstractBaseUser, is_final: bool) -> Submission:
    """Mark or unmark one of the team's submissions for the private leaderboard; any member may choose.

    At most FINAL_SELECTION_MAX a team at a time, only scored and not disqualified ones, and only while the
    challenge is open: after the end the private board is the result, and choosing again would change it.
    """
    challenge = submission.challenge
    with transaction.atomic():
        team = team_lock_of_submission(submission_id=submission.pk)
        if team is None or not team_has_member(participant_id=team.pk, user=user):
            raise SubmissionRefused(
                Reason.NOT_OWNER,
                "Only the members of the team a submission counts for can select it as final.",
            )
        submission = Submission.objects.select_related("challenge").get(pk=submission.pk)
        if challenge_status(challenge) == "ended":
            raise SubmissionRefused(
                Reason.FINAL_SELECTION_CLOSED,
                f"{challenge.title} ended on {challenge.end_at:%Y-%m-%d %H:%M} UTC; final selections are closed "
                "and the private leaderboard uses the ones chosen before.",
            )
        if is_final and not submission.is_final:
            if submission.status != Submission.Status.SCORED:
                raise SubmissionRefused(
                    Reason.NOT_SCORED,
                    f"Submission {submission.pk} is {submission.status}; only scored submissions can be "
                    "selected as final. Wait for its score, or choose another.",
                )
            if submission.is_disqualified:
                raise SubmissionRefused(
                    Reason.DISQUALIFIED,
                    f"Submission {submission.pk} was disqualified by the host and cannot be selected as final.",
                )
            chosen = list(
                Submission.objects.filter(participant=team, is_final=True).values_list("pk", flat=True)
            )
            if len(chosen) >= FINAL_SELECTION_MAX:
                who = "You have" if team_is_solo(team) else "Your team has"
                raise SubmissionRefused(
                    Reason.FINAL_LIMIT,
                    f"{who} already selected {FINAL_SELECTION_MAX} final submissions "
                    f"({', '.join(map(str, sorted(chosen)))}). Unselect one first.",
                )
        if submission.is_final != is_final:
            submission.is_final = is_final
            submission.save(update_fields=["is_final"])
            leaderboard_refresh_participant(challenge=challenge, participant_id=team.pk)
            milestones_award_on_commit(challenge=challenge, user_id=submission.user_id)
    return submission
