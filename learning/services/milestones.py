"""Awarding milestones from a learner's scores, once each, in the order of Milestone.Kind."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from learning.models import Milestone
from projects.models import Challenge
from submissions.leaderboard import higher_is_better, leaderboard_learner_count, leaderboard_row_of
from submissions.models import LeaderboardEntry, Submission

logger = logging.getLogger(__name__)
Kind = Milestone.Kind
PUBLIC = LeaderboardEntry.Split.PUBLIC
TOP_HALF_MIN_LEARNERS = 2  # alone on a board is not the top half of anything
TOP_TEN_PERCENT_MIN_LEARNERS = 10  # the top 10 % of fewer than ten learners would be nobody


def milestones_reached(*, challenge: Challenge, user: AbstractBaseUser) -> dict[str, int | None]:
    """The milestones the learner's scores reach now, each with the submission that reached it, in Kind order.

    A rank milestone counts learners only (baselines take no rank), on the Public board, which every learner sees.
    """
    mine = Submission.objects.filter(challenge=challenge, user=user, is_baseline=False, is_disqualified=False)
    scored = mine.filter(status=Submission.Status.SCORED)
    first = scored.order_by("created_at", "pk").values_list("pk", flat=True).first()
    if first is None:
        return {}
    reached: dict[str, int | None] = {Kind.FIRST_VALID: first}
    row = leaderboard_row_of(challenge=challenge, split=PUBLIC, user=user)
    if row is not None and row.rank is not None:
        baseline = (
            LeaderboardEntry.objects.filter(challenge=challenge, split=PUBLIC, is_baseline=True)
            .order_by("-sort_score")
            .values_list("score", flat=True)
            .first()
        )
        beats = baseline is not None and (
            row.score > baseline if higher_is_better(challenge) else row.score < baseline
        )
        if beats:
            reached[Kind.BEAT_BASELINE] = row.submission_id
        learners = leaderboard_learner_count(challenge=challenge, split=PUBLIC)
        if learners >= TOP_HALF_MIN_LEARNERS and row.rank <= learners // 2:
            reached[Kind.TOP_HALF] = row.submission_id
        if learners >= TOP_TEN_PERCENT_MIN_LEARNERS and row.rank <= learners // 10:
            reached[Kind.TOP_TEN_PERCENT] = row.submission_id
    final = scored.filter(is_final=True).values_list("pk", flat=True).first()
    if final is not None:
        reached[Kind.PICKED_FINAL] = final
    return reached


def milestones_award(*, challenge: Challenge, user: AbstractBaseUser) -> list[Milestone]:
    """Award the milestones reached now and not awarded before; returns the new ones, in Kind order.

    Idempotent and safe to run twice at once: the unique constraint keeps one row per milestone, and a
    concurrent award of the same one is ignored. Earned milestones are never taken back.
    """
    reached = milestones_reached(challenge=challenge, user=user)
    if not reached:
        return []
    held = set(Milestone.objects.filter(challenge=challenge, user=user).values_list("kind", flat=True))
    new = [
        Milestone(user=user, challenge=challenge, kind=kind, submission_id=submission_id)
        for kind, submission_id in reached.items()
        if kind not in held
    ]
    if new:
        Milestone.objects.bulk_create(new, ignore_conflicts=True)
    return new


def milestones_award_on_commit(*, challenge: Challenge, user_id: int) -> None:
    """After the transaction that stored a score or a final choice: the milestones follow from what it stored.

    Registered after the store's own log line, so that line stays the first thing written after the commit. A
    failure here is logged and undoes nothing (the score is the record; the next one awards again), and the
    callbacks after it (the learner's notification) still run.
    """

    def award() -> None:
        try:
            user = get_user_model().objects.filter(pk=user_id).first()
            if user is not None:
                milestones_award(challenge=challenge, user=user)
        except Exception:  # a side effect: whatever went wrong, the callbacks after this one must still run
            logger.exception("Milestones of user %s in %s were not awarded", user_id, challenge.slug)

    transaction.on_commit(award)
