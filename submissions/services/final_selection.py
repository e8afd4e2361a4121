"""The learner's choice of (at most FINAL_SELECTION_MAX) submissions for the private leaderboard."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from projects.selectors import challenge_status

from ..errors import Reason, SubmissionRefused
from ..leaderboard import FINAL_SELECTION_MAX, leaderboard_refresh_participant
from ..models import Submission
from .locks import participant_lock


def submission_set_final(*, submission: Submission, user: AbstractBaseUser, is_final: bool) -> Submission:
    """Mark or unmark one of the learner's own submissions for the private leaderboard.

    At most FINAL_SELECTION_MAX at a time, only scored and not disqualified ones, and only while the challenge
    is open: after the end the private board is the result, and choosing again would change it.
    """
    if submission.user_id != user.pk:
        raise SubmissionRefused(
            Reason.NOT_OWNER, "Only the learner who made a submission can select it as final."
        )
    challenge = submission.challenge
    with transaction.atomic():
        participant_lock(challenge=challenge, user=user)
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
                Submission.objects.filter(challenge=challenge, user=user, is_final=True).values_list(
                    "pk", flat=True
                )
            )
            if len(chosen) >= FINAL_SELECTION_MAX:
                raise SubmissionRefused(
                    Reason.FINAL_LIMIT,
                    f"You have already selected {FINAL_SELECTION_MAX} final submissions "
                    f"({', '.join(map(str, sorted(chosen)))}). Unselect one first.",
                )
        if submission.is_final != is_final:
            submission.is_final = is_final
            submission.save(update_fields=["is_final"])
            leaderboard_refresh_participant(challenge=challenge, user_id=submission.user_id)
    return submission
