"""Keeps LeaderboardEntry (the best submission per team, a Participant, and split), each board's size and the history
of its top score current.

Called in the same transaction that stores, changes or hides a score, under the participant's row lock, so
reading the board never has to look at submissions at all.

Locks are always taken in one order, participant then the public board then the private board, so two
refreshes never wait on each other in a circle.
"""

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from projects.models import Challenge

from ..models import Leaderboard, LeaderboardEntry, Participant, Submission, TopScoreChange
from .ordering import ENTRY_ORDER, higher_is_better, sort_key, sort_score

FINAL_SELECTION_MAX = 2


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

    def board_order(field: str) -> Callable[[Candidate], tuple]:
        # ENTRY_ORDER, on candidates: the best first, then the earliest, then the lowest id.
        return lambda c: (-sort_key(getattr(c, field), higher_is_better=higher_is_better), c.created_at, c.id)

    def best_by(field: str, pool: list[Candidate]) -> Candidate | None:
        pool = [c for c in pool if getattr(c, field) is not None]
        return min(pool, key=board_order(field)) if pool else None

    public = best_by("public_score", candidates)
    finals = [c for c in candidates if c.is_final]
    if not finals:
        finals = sorted(candidates, key=board_order("public_score"))[:FINAL_SELECTION_MAX]
    private = best_by("private_score", finals)
    return (
        Best(public, public.public_score) if public else None,
        Best(private, private.private_score) if private else None,
    )


def rolling_window_start(challenge: Challenge) -> dt.datetime | None:
    """Where the rolling board of a practice problem that never ends starts, or None for a board that keeps all.

    As on Kaggle's Getting Started competitions, only the submissions of the last HUB_ROLLING_LEADERBOARD_DAYS
    count there, so the board shows who is practising now (0 keeps everything). Baselines always count.
    """
    days = settings.HUB_ROLLING_LEADERBOARD_DAYS
    if challenge.end_at is not None or not days:
        return None
    return timezone.now() - dt.timedelta(days=days)


def _counted_submissions(challenge: Challenge, participant: Participant | None) -> list[Candidate]:
    """The team's submissions that hold a score, were not failed or disqualified, and are inside the rolling
    window, whichever member made them (a member who left leaves theirs with the team).

    A submission queued again for rescoring keeps its previous score until the new one is stored, so a rescore
    does not empty the board while it runs; one that fails on rescoring drops out.
    """
    if participant is None or participant.is_disqualified:
        return []
    submissions = Submission.objects.filter(
        participant=participant, is_disqualified=False, public_score__isnull=False
    ).exclude(status=Submission.Status.FAILED)
    window_start = rolling_window_start(challenge)
    if window_start is not None:
        submissions = submissions.filter(Q(created_at__gte=window_start) | Q(is_baseline=True))
    rows = submissions.values_list(
        "id", "public_score", "private_score", "is_final", "created_at", "is_baseline"
    )
    return [Candidate(*row) for row in rows]


class _Change(enum.Enum):
    NONE = "none"
    MOVED = "moved"
    JOINED_OR_LEFT = "joined or left"


def leaderboard_refresh_participant(*, challenge: Challenge, participant_id: int) -> None:
    """Recompute both of the team's entries; then each board's size if the team joined or left it, and its top
    score history if its top changed. A team that is gone (merged into another) leaves the boards.

    The caller holds the team's row lock (services/locks.py: participant_lock, team_lock) inside a transaction;
    elsewhere call participant_refresh, which takes it.
    """
    participant = (
        Participant.objects.filter(pk=participant_id, challenge=challenge)
        .only("is_disqualified", "user_id")
        .first()
    )
    candidates = _counted_submissions(challenge, participant)
    public, private = best_entries(candidates, higher_is_better=higher_is_better(challenge))
    existing = {
        entry.split: entry
        for entry in LeaderboardEntry.objects.filter(challenge=challenge, participant_id=participant_id)
    }
    leader_id = participant.user_id if participant is not None else None
    for split, best in ((LeaderboardEntry.Split.PUBLIC, public), (LeaderboardEntry.Split.PRIVATE, private)):
        change = _store(
            challenge, participant_id, leader_id, split, best, existing.get(split), entries=len(candidates)
        )
        if change is not _Change.NONE:
            _board_changed(challenge, split, joined_or_left=change is _Change.JOINED_OR_LEFT)


def _store(
    challenge: Challenge,
    participant_id: int,
    leader_id: int | None,
    split: str,
    best: Best | None,
    current: LeaderboardEntry | None,
    *,
    entries: int,
) -> _Change:
    """Write the entry if it changed, and say how the board changed."""
    if best is None:
        if current is None:
            return _Change.NONE
        current.delete()
        return _Change.JOINED_OR_LEFT
    values = {
        "submission_id": best.submission.id,
        "score": best.score,
        "sort_score": sort_score(challenge, best.score),
        "submitted_at": best.submission.created_at,
        "is_baseline": best.submission.is_baseline,
        "entries": entries,
        "user_id": leader_id,  # follows a handed-over leadership
    }
    if current is None:
        LeaderboardEntry.objects.create(
            challenge=challenge, participant_id=participant_id, split=split, **values
        )
        return _Change.JOINED_OR_LEFT
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if not changed:
        return _Change.NONE
    for name in changed:
        setattr(current, name, values[name])
    current.save(update_fields=changed)
    return _Change.NONE if set(changed) <= {"entries", "user_id"} else _Change.MOVED


def board_lock(*, challenge: Challenge, split: str) -> Leaderboard:
    """The board's row, locked until the transaction ends (created on first use, like participant_lock)."""
    board, _ = Leaderboard.objects.get_or_create(challenge=challenge, split=split)
    return Leaderboard.objects.select_for_update().get(pk=board.pk)


def board_recount(*, board: Leaderboard) -> None:
    """Count the board's entries again (one index-only scan); the caller holds board_lock."""
    entries = LeaderboardEntry.objects.filter(challenge_id=board.challenge_id, split=board.split)
    # Two counts, each read from an index alone (one FILTERed count would have to visit the table).
    counts = (entries.count(), entries.filter(is_baseline=False).count())
    if (board.rows, board.learners) != counts:
        board.rows, board.learners = counts
        board.save(update_fields=["rows", "learners"])


def _board_changed(challenge: Challenge, split: str, *, joined_or_left: bool) -> None:
    """Recount the board if its membership changed; record its top score if that changed.

    Two participants scored at once each see only their own uncommitted entry, so both could count the board
    without the other, or both record themselves as the top. Both are therefore done under the board's lock,
    with the top checked again there: by then the other transaction has committed, and READ COMMITTED shows
    its entry to the next statement. The lock is skipped when neither can have changed, as for most scores.
    """
    top_may_have_changed = not _same(_top_entry(challenge, split), _last_top(challenge, split))
    if not joined_or_left and not top_may_have_changed:
        return
    board = board_lock(challenge=challenge, split=split)
    if joined_or_left:
        board_recount(board=board)
    if top_may_have_changed:
        top = _top_entry(challenge, split)
        if not _same(top, _last_top(challenge, split)):
            TopScoreChange.objects.create(
                challenge=challenge,
                split=split,
                score=top.score if top else None,
                user_id=top.user_id if top else None,
                participant_id=top.participant_id if top else None,
                submission_id=top.submission_id if top else None,
                submitted_at=top.submitted_at if top else None,
                changed_at=timezone.now(),
            )


def _top_entry(challenge: Challenge, split: str) -> LeaderboardEntry | None:
    return (
        LeaderboardEntry.objects.filter(challenge=challenge, split=split, is_baseline=False)
        .order_by(*ENTRY_ORDER)
        .only("score", "user_id", "participant_id", "submission_id", "submitted_at")
        .first()
    )


def _last_top(challenge: Challenge, split: str) -> TopScoreChange | None:
    return (
        TopScoreChange.objects.filter(challenge=challenge, split=split)
        .order_by("-changed_at", "-id")
        .only("score", "submission_id")
        .first()
    )


def _same(top: LeaderboardEntry | None, last: TopScoreChange | None) -> bool:
    """The same score held by the same submission. Not the team: a submission that moves to another team (a
    merge, a join) changes no score, and its points follow it to that team (services.teams._merge)."""
    if top is None:
        return last is None or last.score is None
    return last is not None and (last.score, last.submission_id) == (top.score, top.submission_id)
