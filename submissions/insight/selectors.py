"""Reads of a submission's insight, its standing beside the baseline and the learner's best, and comparisons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max, Min
from django.http import Http404

from hub.storage import local_copy
from projects.selectors import challenge_scoring_spec, challenge_solution
from submissions.leaderboard import higher_is_better, leaderboard_learner_count, leaderboard_row_of
from submissions.models import LeaderboardEntry, Submission
from workers.scoring.compare import compare_predictions, public_predictions

PUBLIC = LeaderboardEntry.Split.PUBLIC


def submission_insight(submission: Submission) -> dict[str, Any] | None:
    """The stored insight of a scored submission, or None when there is none to show (not scored, or the host
    turned insight off for the challenge after it was computed)."""
    if submission.status != Submission.Status.SCORED or not submission.challenge.insight_enabled:
        return None
    return submission.insight


@dataclass(frozen=True)
class Standing:
    """A scored submission beside what it is measured against, all on the Public split."""

    score: float
    baseline_score: float | None  # the best baseline row of the board; None if the challenge has none
    beats_baseline: bool | None
    personal_best: float | None  # the learner's row on the board (None while off it, e.g. disqualified)
    previous_best: float | None  # the learner's best before this submission
    is_new_personal_best: bool  # better than every earlier one (the first scored one is one too)
    rank: int | None
    learners: int


def submission_standing(submission: Submission) -> Standing | None:
    """Where a scored learner's submission stands now; None for baselines and submissions without a score.

    Four small reads: the board's best baseline row, the learner's row and rank (the one rank read every page
    uses), the board's size, and the learner's best before this submission.
    """
    if (
        submission.status != Submission.Status.SCORED
        or submission.is_baseline
        or submission.public_score is None
        or submission.user_id is None  # its author's account was deleted; the team keeps it
    ):
        return None
    challenge = submission.challenge
    higher = higher_is_better(challenge)
    baseline = (
        LeaderboardEntry.objects.filter(challenge=challenge, split=PUBLIC, is_baseline=True)
        .order_by("-sort_score")
        .values_list("score", flat=True)
        .first()
    )
    row = leaderboard_row_of(challenge=challenge, split=PUBLIC, user=submission.user)
    earlier = Submission.objects.filter(
        challenge=challenge,
        user_id=submission.user_id,
        status=Submission.Status.SCORED,
        is_baseline=False,
        is_disqualified=False,
        public_score__isnull=False,
        created_at__lt=submission.created_at,
    ).aggregate(best=Max("public_score") if higher else Min("public_score"))["best"]
    score = submission.public_score

    def better(one: float, other: float) -> bool:
        return one > other if higher else one < other

    return Standing(
        score=score,
        baseline_score=baseline,
        beats_baseline=None if baseline is None else better(score, baseline),
        personal_best=row.score if row else None,
        previous_best=earlier,
        is_new_personal_best=earlier is None or better(score, earlier),
        rank=row.rank if row else None,
        learners=leaderboard_learner_count(challenge=challenge, split=PUBLIC),
    )


class CompareRefused(Exception):
    """Two submissions that cannot be compared; the message says why and what to pick instead."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _own(submission_id: int, user: AbstractBaseUser) -> Submission:
    """Only the learner's own submissions are compared, staff included: to anyone else they do not exist."""
    too_large = (
        submission_id > 2**63 - 1
    )  # beyond any id the database can hold, and beyond what it can compare
    submission = (
        None if too_large else Submission.objects.select_related("challenge").filter(pk=submission_id).first()
    )
    if submission is None or submission.user_id != user.pk:
        raise Http404(f"You have no submission {submission_id}.")
    return submission


def submission_compare(*, submission_id: int, other_id: int, user: AbstractBaseUser) -> dict[str, Any]:
    """How the learner's Public predictions changed from one submission to another, and the score difference.

    Both files are read again (the predictions are not stored, only their scores), so this costs two readings
    of the files, as long as scoring them did. Raises Http404 unless both are the user's, CompareRefused unless
    both are scored submissions to the same challenge.
    """
    first, second = _own(submission_id, user), _own(other_id, user)
    if first.challenge_id != second.challenge_id:
        raise CompareRefused(
            f"Submissions {first.pk} and {second.pk} are to different challenges; compare two submissions "
            "to one challenge."
        )
    if first.pk == second.pk:
        raise CompareRefused(
            "That is the same submission twice; pick another one of yours to compare it with."
        )
    for submission in (first, second):
        if submission.status != Submission.Status.SCORED:
            raise CompareRefused(
                f"Submission {submission.pk} is {submission.status}, not scored: only scored submissions "
                "can be compared."
            )
    challenge = first.challenge
    solution = challenge_solution(challenge)
    spec = challenge_scoring_spec(challenge)
    predictions = []
    for submission in (first, second):
        with local_copy(submission.file) as path:
            predictions.append(public_predictions(path, solution, spec))
    rows = compare_predictions(*predictions, solution, with_truth=challenge.insight_enabled)
    difference = second.public_score - first.public_score
    return {
        "submission": first.pk,
        "other": second.pk,
        "challenge": challenge.slug,
        "public_score": first.public_score,
        "other_public_score": second.public_score,
        "score_difference": difference,
        "other_is_better": difference > 0 if higher_is_better(challenge) else difference < 0,
        "rows": rows,
    }
