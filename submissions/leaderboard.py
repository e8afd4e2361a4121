"""Keeps LeaderboardEntry, the best submission per participant and split, and the history of the top score current.

Called in the same transaction that stores, changes or hides a score, under the participant's row lock, so
reading the board never has to look at submissions at all.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from projects.models import Challenge
from workers.scoring import METRICS

from .models import LeaderboardEntry, Participant, Submission, TopScoreChange

FINAL_SELECTION_MAX = 2
# First key of PostgreSQL's two-key advisory locks taken by this module; the second is the challenge id.
_TOP_SCORE_LOCK = 5_000_001


def higher_is_better(challenge: Challenge) -> bool:
    return METRICS[challenge.metric].higher_is_better


def sort_score(challenge: Challenge, score: float) -> float:
    return score if higher_is_better(challenge) else -score


@dataclass(frozen=True)
class Candidate:
    """What the choice of a participant's best submission needs to know about one of their submissions."""

    id: int
    public_score: float
    private_score: float | None
    is_final: bool
    created_at: dt.datetime
    is_baseline: bool


@dataclass(frozen=True)
class Best:
    submission: Candidate
    score: float


def best_entries(candidates: list[Candidate], *, higher_is_better: bool) -> tuple[Best | None, Best | None]:
    """The (public, private) best of one participant's counted submissions, by Kaggle's rules.

    Public: the best public score; equal scores go to the submission that reached them first, the id breaking
    exact time ties. Private: the best private score among the submissions marked final, or, when none is
    marked, among the FINAL_SELECTION_MAX best public ones, so that the private board never rewards a
    submission the learner could not have picked from what they saw.
    """

    def best_by(field: str, pool: list[Candidate]) -> Candidate | None:
        pool = [c for c in pool if getattr(c, field) is not None]
        if not pool:
            return None
        sign = -1 if higher_is_better else 1
        return min(pool, key=lambda c: (sign * getattr(c, field), c.created_at, c.id))

    public = best_by("public_score", candidates)
    finals = [c for c in candidates if c.is_final]
    if not finals:
        sign = -1 if higher_is_better else 1
        finals = sorted(candidates, key=lambda c: (sign * c.public_score, c.created_at, c.id))
        finals = finals[:FINAL_SELECTION_MAX]
    private = best_by("private_score", finals)
    return (
        Best(public, public.public_score) if public else None,
        Best(private, private.private_score) if private else None,
    )


def _counted_submissions(challenge: Challenge, user_id: int) -> list[Candidate]:
    """Submissions that hold a score and were not failed or disqualified.

    A submission queued again for rescoring keeps its previous score until the new one is stored, so a rescore
    does not empty the board while it runs; one that fails on rescoring drops out.
    """
    participant = Participant.objects.filter(challenge=challenge, user_id=user_id).only("is_disqualified")
    participant = participant.first()
    if participant is None or participant.is_disqualified:
        return []
    rows = (
        Submission.objects.filter(
            challenge=challenge, user_id=user_id, is_disqualified=False, public_score__isnull=False
        )
        .exclude(status=Submission.Status.FAILED)
        .values_list("id", "public_score", "private_score", "is_final", "created_at", "is_baseline")
    )
    return [Candidate(*row) for row in rows]


def leaderboard_refresh_participant(*, challenge: Challenge, user_id: int) -> None:
    """Recompute both of the participant's entries, and record a change of a board's top score.

    The caller holds the Participant row lock (services.participant_lock) inside a transaction.
    """
    candidates = _counted_submissions(challenge, user_id)
    public, private = best_entries(candidates, higher_is_better=higher_is_better(challenge))
    existing = {
        entry.split: entry for entry in LeaderboardEntry.objects.filter(challenge=challenge, user_id=user_id)
    }
    changed_splits = [
        split
        for split, best in (
            (LeaderboardEntry.Split.PUBLIC, public),
            (LeaderboardEntry.Split.PRIVATE, private),
        )
        if _store(challenge, user_id, split, best, existing.get(split), entries=len(candidates))
    ]
    if changed_splits:
        top_scores_record(challenge=challenge, splits=changed_splits)


def _store(
    challenge: Challenge,
    user_id: int,
    split: str,
    best: Best | None,
    current: LeaderboardEntry | None,
    *,
    entries: int,
) -> bool:
    """Write the entry if it changed. Returns whether the order of the board may have changed."""
    if best is None:
        if current is not None:
            current.delete()
        return current is not None
    values = {
        "submission_id": best.submission.id,
        "score": best.score,
        "sort_score": sort_score(challenge, best.score),
        "submitted_at": best.submission.created_at,
        "is_baseline": best.submission.is_baseline,
        "entries": entries,
    }
    if current is None:
        LeaderboardEntry.objects.create(challenge=challenge, user_id=user_id, split=split, **values)
        return True
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(current, name, values[name])
    current.save(update_fields=changed)
    return changed != ["entries"]


def _top_entry(challenge: Challenge, split: str) -> LeaderboardEntry | None:
    return (
        LeaderboardEntry.objects.filter(challenge=challenge, split=split, is_baseline=False)
        .order_by("-sort_score", "submitted_at", "submission_id")
        .only("score", "user_id", "submission_id", "submitted_at")
        .first()
    )


def _last_top(challenge: Challenge, split: str) -> TopScoreChange | None:
    return (
        TopScoreChange.objects.filter(challenge=challenge, split=split)
        .order_by("-changed_at", "-id")
        .only("score", "user_id", "submission_id")
        .first()
    )


def _same(top: LeaderboardEntry | None, last: TopScoreChange | None) -> bool:
    if top is None:
        return last is None or last.score is None
    return last is not None and (last.score, last.user_id, last.submission_id) == (
        top.score,
        top.user_id,
        top.submission_id,
    )


def top_scores_record(*, challenge: Challenge, splits: list[str]) -> None:
    """Append a TopScoreChange for each split whose top learner entry differs from the last one recorded.

    Two participants scored at once each see only their own uncommitted entry, so both could record
    themselves as the top. The check is therefore made again under a lock per challenge, taken only when the
    top seems to have changed (rarely): by then the other transaction has committed and READ COMMITTED shows
    its entry. SQLite needs no lock: the hub's transactions there are IMMEDIATE, so writers run one at a time.
    """
    suspects = [
        split for split in splits if not _same(_top_entry(challenge, split), _last_top(challenge, split))
    ]
    if not suspects:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_TOP_SCORE_LOCK, challenge.pk % 2**31])
    now = timezone.now()
    for split in suspects:
        top = _top_entry(challenge, split)
        if _same(top, _last_top(challenge, split)):
            continue
        TopScoreChange.objects.create(
            challenge=challenge,
            split=split,
            score=top.score if top else None,
            user_id=top.user_id if top else None,
            submission_id=top.submission_id if top else None,
            submitted_at=top.submitted_at if top else None,
            changed_at=now,
        )
