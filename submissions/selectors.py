"""Reads of submissions, limits and leaderboards."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from projects.models import Challenge
from projects.selectors import challenge_private_visible
from workers.scoring import METRICS

from .models import LeaderboardEntry, Participant, Submission


def utc_day_start(now: dt.datetime | None = None) -> dt.datetime:
    """Daily limits reset at 00:00 UTC, as on Kaggle."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Limits:
    daily_limit: int
    used_today: int
    total_limit: int | None
    used_total: int
    resets_at: dt.datetime

    @property
    def remaining_today(self) -> int:
        remaining = max(self.daily_limit - self.used_today, 0)
        if self.total_limit is not None:
            remaining = min(remaining, max(self.total_limit - self.used_total, 0))
        return remaining


def submission_limits(*, challenge: Challenge, user: AbstractBaseUser, count_total: bool = False) -> Limits:
    """Failed submissions do not count: a learner is not punished for a file the hub could not read.

    `used_total` is counted only when the challenge has a total limit or the caller asks for it (`count_total`),
    which saves a query on every upload to a challenge without one.
    """
    counted = Submission.objects.filter(challenge=challenge, user=user).exclude(
        status=Submission.Status.FAILED
    )
    day_start = utc_day_start()
    return Limits(
        daily_limit=challenge.daily_limit,
        used_today=counted.filter(created_at__gte=day_start).count(),
        total_limit=challenge.total_limit,
        used_total=counted.count() if challenge.total_limit is not None or count_total else 0,
        resets_at=day_start + dt.timedelta(days=1),
    )


def leaderboard_learner_counts(*, challenge_ids: Iterable[int]) -> dict[int, int]:
    """How many learners (baselines aside) are on each challenge's public board: one grouped query."""
    counts = (
        LeaderboardEntry.objects.filter(
            challenge_id__in=list(challenge_ids), split=LeaderboardEntry.Split.PUBLIC, is_baseline=False
        )
        .values("challenge_id")
        .annotate(learners=Count("id"))
    )
    return {row["challenge_id"]: row["learners"] for row in counts}


def challenge_ids_entered(*, user: AbstractBaseUser) -> set[int]:
    """The challenges the learner has entered; empty for an anonymous visitor."""
    if not user.is_authenticated:
        return set()
    return set(Participant.objects.filter(user=user).values_list("challenge_id", flat=True))


def submissions_of(*, challenge: Challenge | None = None, user: AbstractBaseUser) -> QuerySet[Submission]:
    submissions = Submission.objects.filter(user=user).select_related("challenge")
    if challenge is not None:
        submissions = submissions.filter(challenge=challenge)
    return submissions.order_by("-created_at", "-id")


def submission_get_visible(*, submission_id: int, user: AbstractBaseUser) -> Submission:
    """A submission is visible to its owner and to staff only; to anyone else it does not exist."""
    submission = Submission.objects.select_related("challenge", "user").filter(pk=submission_id).first()
    if submission is None or not (user.is_staff or submission.user_id == user.pk):
        raise Http404(f"You have no submission {submission_id}.")
    return submission


def submission_private_score(submission: Submission) -> float | None:
    return submission.private_score if challenge_private_visible(submission.challenge) else None


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int | None  # None for baseline rows, which take no rank from learners
    participant: str
    user_id: int
    score: float
    submitted_at: dt.datetime
    entries: int
    is_baseline: bool
    submission_id: int


def _board(challenge: Challenge, split: str) -> QuerySet[LeaderboardEntry]:
    return LeaderboardEntry.objects.filter(challenge=challenge, split=split)


_ORDER = ("-sort_score", "submitted_at", "submission_id")


def leaderboard_count(*, challenge: Challenge, split: str) -> int:
    return _board(challenge, split).count()


def leaderboard_rows(
    *, challenge: Challenge, split: str, offset: int = 0, limit: int = 100
) -> list[LeaderboardRow]:
    """One page of the board in rank order; two queries whatever the page size."""
    entries = list(
        _board(challenge, split)
        .select_related("user")
        .only(
            "user__username",
            "user_id",
            "score",
            "submitted_at",
            "entries",
            "is_baseline",
            "submission_id",
            "sort_score",
        )
        .order_by(*_ORDER)[offset : offset + limit]
    )
    if not entries:
        return []
    first = entries[0]
    baselines_before = (
        _board(challenge, split).filter(is_baseline=True).filter(_ahead_of(first)).count() if offset else 0
    )
    rank = offset - baselines_before
    rows = []
    for entry in entries:
        if not entry.is_baseline:
            rank += 1
        rows.append(_row(entry, None if entry.is_baseline else rank))
    return rows


def _ahead_of(entry: LeaderboardEntry) -> Q:
    return (
        Q(sort_score__gt=entry.sort_score)
        | Q(sort_score=entry.sort_score, submitted_at__lt=entry.submitted_at)
        | Q(
            sort_score=entry.sort_score,
            submitted_at=entry.submitted_at,
            submission_id__lt=entry.submission_id,
        )
    )


def leaderboard_row_of(*, challenge: Challenge, split: str, user: AbstractBaseUser) -> LeaderboardRow | None:
    """The learner's own row and rank, however far down the board: one indexed count."""
    entry = _board(challenge, split).select_related("user").filter(user=user).first()
    if entry is None:
        return None
    rank = None
    if not entry.is_baseline:
        rank = _board(challenge, split).filter(is_baseline=False).filter(_ahead_of(entry)).count() + 1
    return _row(entry, rank)


def _row(entry: LeaderboardEntry, rank: int | None) -> LeaderboardRow:
    return LeaderboardRow(
        rank=rank,
        participant=entry.user.username,
        user_id=entry.user_id,
        score=entry.score,
        submitted_at=entry.submitted_at,
        entries=entry.entries,
        is_baseline=entry.is_baseline,
        submission_id=entry.submission_id,
    )


@dataclass(frozen=True)
class BoardPosition:
    """A learner's place on one challenge's board, for the profile page."""

    challenge: Challenge
    rank: int
    of: int
    score: float
    entries: int


def leaderboard_positions_of(*, user: AbstractBaseUser, split: str = "public") -> list[BoardPosition]:
    """The learner's rank on every published board they are on: one query, ranks counted in subqueries the
    same way leaderboard_row_of counts them (baselines take no rank)."""
    learners = LeaderboardEntry.objects.filter(
        challenge=OuterRef("challenge"), split=split, is_baseline=False
    ).order_by()
    ahead = learners.filter(
        Q(sort_score__gt=OuterRef("sort_score"))
        | Q(sort_score=OuterRef("sort_score"), submitted_at__lt=OuterRef("submitted_at"))
        | Q(
            sort_score=OuterRef("sort_score"),
            submitted_at=OuterRef("submitted_at"),
            submission_id__lt=OuterRef("submission_id"),
        )
    )
    entries = (
        LeaderboardEntry.objects.filter(
            user=user, split=split, is_baseline=False, challenge__is_published=True
        )
        .select_related("challenge")
        .annotate(
            ahead=Coalesce(Subquery(ahead.values("challenge").annotate(n=Count("id")).values("n")), 0),
            board_size=Coalesce(
                Subquery(learners.values("challenge").annotate(n=Count("id")).values("n")), 0
            ),
        )
        .order_by("challenge__title")
    )
    return [
        BoardPosition(
            challenge=entry.challenge,
            rank=entry.ahead + 1,
            of=entry.board_size,
            score=entry.score,
            entries=entry.entries,
        )
        for entry in entries
    ]


# Chart data, in the shapes the leaderboard's own selectors (issue 5) return: when those land, with the top score
# recorded as it changes, they replace these two stand-ins, which read the submissions.


def _history_field(challenge: Challenge, split: str) -> str | None:
    """The score field of the split, or None while the private split is hidden."""
    if split == LeaderboardEntry.Split.PRIVATE:
        return "private_score" if challenge_private_visible(challenge) else None
    return "public_score"


def score_history(*, challenge: Challenge, user: AbstractBaseUser, split: str) -> list[dict]:
    """The learner's scores, oldest first: [{"submission_id", "submitted_at", "score", "best", "is_final"}]."""
    field = _history_field(challenge, split)
    if not user.is_authenticated or field is None:
        return []
    higher_is_better = METRICS[challenge.metric].higher_is_better
    points: list[dict] = []
    best: float | None = None
    rows = (
        Submission.objects.filter(
            challenge=challenge,
            user=user,
            status=Submission.Status.SCORED,
            is_disqualified=False,
            **{f"{field}__isnull": False},
        )
        .order_by("created_at", "id")
        .values_list("id", "created_at", field, "is_final")
    )
    for submission_id, created_at, score, is_final in rows:
        if best is None or (score > best if higher_is_better else score < best):
            best = score
        points.append(
            {
                "submission_id": submission_id,
                "submitted_at": created_at,
                "score": score,
                "best": best,
                "is_final": is_final,
            }
        )
    return points


def top_score_history(*, challenge: Challenge, split: str) -> list[dict]:
    """The best learner score over time, oldest first, one point per change: [{"at", "score", "participant",
    "submitted_at"}]. Baselines and disqualified learners are not in it."""
    field = _history_field(challenge, split)
    if field is None:
        return []
    higher_is_better = METRICS[challenge.metric].higher_is_better
    scores = (
        Submission.objects.filter(
            challenge=challenge,
            status=Submission.Status.SCORED,
            is_disqualified=False,
            is_baseline=False,
            **{f"{field}__isnull": False},
        )
        .exclude(
            user_id__in=Participant.objects.filter(challenge=challenge, is_disqualified=True).values(
                "user_id"
            )
        )
        .order_by("created_at", "id")
        .values_list("created_at", field, "user__username")
    )
    history: list[dict] = []
    for created_at, score, username in scores.iterator():
        if not history or (
            score > history[-1]["score"] if higher_is_better else score < history[-1]["score"]
        ):
            history.append(
                {"at": created_at, "score": score, "participant": username, "submitted_at": created_at}
            )
    return history
