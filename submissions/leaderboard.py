"""Keeps LeaderboardEntry, the best submission per participant and split, current.

Called in the same transaction that stores, changes or hides a score, under the participant's row lock, so
reading the board never has to look at submissions at all.
"""

from django.db.models import Count, F, QuerySet

from projects.models import Challenge
from workers.scoring import METRICS

from .models import LeaderboardEntry, Participant, Submission

FINAL_SELECTION_MAX = 2


def higher_is_better(challenge: Challenge) -> bool:
    return METRICS[challenge.metric].higher_is_better


def sort_score(challenge: Challenge, score: float) -> float:
    return score if higher_is_better(challenge) else -score


def _best_first(challenge: Challenge, field: str) -> list:
    direction = "-" if higher_is_better(challenge) else ""
    # Equal scores go to the submission that reached them first (Kaggle's rule); the id breaks exact time ties.
    return [F(field).desc() if direction else F(field).asc(), "created_at", "id"]


def leaderboard_refresh_participant(*, challenge: Challenge, user_id: int) -> None:
    """Recompute both of the participant's entries. The caller holds the Participant row lock."""
    participant = Participant.objects.filter(challenge=challenge, user_id=user_id).first()
    scored: QuerySet[Submission] = Submission.objects.filter(
        challenge=challenge, user_id=user_id, status=Submission.Status.SCORED, is_disqualified=False
    )
    if participant is None or participant.is_disqualified:
        scored = scored.none()
    entries = scored.filter(public_score__isnull=False).aggregate(n=Count("id"))["n"]

    best_public = (
        scored.filter(public_score__isnull=False).order_by(*_best_first(challenge, "public_score")).first()
    )
    _store(challenge, user_id, LeaderboardEntry.Split.PUBLIC, best_public, "public_score", entries)

    # Private: the best of the submissions the learner marked final, or of their best public ones if none is marked.
    candidates = scored.filter(is_final=True, private_score__isnull=False)
    if not candidates.exists():
        top_public = scored.filter(public_score__isnull=False).order_by(
            *_best_first(challenge, "public_score")
        )
        candidates = scored.filter(pk__in=list(top_public.values_list("pk", flat=True)[:FINAL_SELECTION_MAX]))
    best_private = (
        candidates.filter(private_score__isnull=False)
        .order_by(*_best_first(challenge, "private_score"))
        .first()
    )
    _store(challenge, user_id, LeaderboardEntry.Split.PRIVATE, best_private, "private_score", entries)


def _store(
    challenge: Challenge, user_id: int, split: str, submission: Submission | None, field: str, entries: int
) -> None:
    if submission is None:
        LeaderboardEntry.objects.filter(challenge=challenge, user_id=user_id, split=split).delete()
        return
    score = getattr(submission, field)
    LeaderboardEntry.objects.update_or_create(
        challenge=challenge,
        user_id=user_id,
        split=split,
        defaults={
            "submission": submission,
            "score": score,
            "sort_score": sort_score(challenge, score),
            "submitted_at": submission.created_at,
            "is_baseline": submission.is_baseline,
            "entries": entries,
        },
    )
