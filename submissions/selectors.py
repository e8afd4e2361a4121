"""Reads of submissions, limits and leaderboards."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from projects.models import Challenge
from projects.selectors import challenge_private_visible
from workers.scoring import METRICS

from .models import LeaderboardEntry, Submission, TopScoreChange


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


def submission_limits(
    *, challenge: Challenge, user: AbstractBaseUser, now: dt.datetime | None = None
) -> Limits:
    """Failed submissions do not count: a learner is not punished for a file the hub could not read.

    Queued and running ones do count, or a learner could upload many at once before the first is scored.
    """
    counted = Submission.objects.filter(challenge=challenge, user=user).exclude(
        status=Submission.Status.FAILED
    )
    day_start = utc_day_start(now)
    return Limits(
        daily_limit=challenge.daily_limit,
        used_today=counted.filter(created_at__gte=day_start).count(),
        total_limit=challenge.total_limit,
        used_total=counted.count() if challenge.total_limit is not None else 0,
        resets_at=day_start + dt.timedelta(days=1),
    )


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


def submission_extra_scores(submission: Submission) -> dict[str, dict[str, float | None]]:
    """The extra metrics, with their private halves removed while private scores are hidden."""
    if challenge_private_visible(submission.challenge):
        return submission.extra_scores
    return {
        metric: {part: value for part, value in scores.items() if part != "private"}
        for metric, scores in (submission.extra_scores or {}).items()
    }


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


def leaderboard_split_visible(challenge: Challenge, split: str) -> bool:
    return split == LeaderboardEntry.Split.PUBLIC or challenge_private_visible(challenge)


def _board(challenge: Challenge, split: str) -> QuerySet[LeaderboardEntry]:
    """The board's entries; none at all for a private board that is still hidden, whoever asks."""
    if not leaderboard_split_visible(challenge, split):
        return LeaderboardEntry.objects.none()
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
    """Entries ranked before `entry`. The leading `sort_score >= x` is a range on the index, so the count reads
    only the entries ahead (and the ties) instead of filtering the whole board."""
    return Q(sort_score__gte=entry.sort_score) & (
        Q(sort_score__gt=entry.sort_score)
        | Q(submitted_at__lt=entry.submitted_at)
        | Q(submitted_at=entry.submitted_at, submission_id__lt=entry.submission_id)
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


def leaderboard_all_rows(
    *, challenge: Challenge, split: str, chunk_size: int = 2000
) -> Iterator[LeaderboardRow]:
    """Every row of the board in rank order, streamed (one query; a server-side cursor on PostgreSQL)."""
    entries = (
        _board(challenge, split)
        .select_related("user")
        .only("user__username", "user_id", "score", "submitted_at", "entries", "is_baseline", "submission_id")
        .order_by(*_ORDER)
    )
    rank = 0
    for entry in entries.iterator(chunk_size=chunk_size):
        if not entry.is_baseline:
            rank += 1
        yield _row(entry, None if entry.is_baseline else rank)


def score_history(
    *, challenge: Challenge, user: AbstractBaseUser, split: str, limit: int = 2000
) -> list[dict]:
    """The learner's scores over time, oldest first, for a chart: the `limit` most recent counted submissions.

    Each point: {"submission_id", "submitted_at" (datetime), "score", "best" (the best so far, the step line
    the board follows), "is_final"}. Failed and disqualified submissions are left out, as the board leaves them
    out. Empty for the private split while it is hidden, even for the learner's own scores.
    """
    if not user.is_authenticated or not leaderboard_split_visible(challenge, split):
        return []
    field = "public_score" if split == LeaderboardEntry.Split.PUBLIC else "private_score"
    rows = list(
        Submission.objects.filter(
            challenge=challenge, user=user, is_disqualified=False, **{f"{field}__isnull": False}
        )
        .exclude(status=Submission.Status.FAILED)
        .order_by("-created_at", "-id")
        .values_list("id", "created_at", field, "is_final")[:limit]
    )
    higher_is_better = METRICS[challenge.metric].higher_is_better
    points: list[dict] = []
    best: float | None = None
    for submission_id, created_at, score, is_final in reversed(rows):
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


def top_score_history(*, challenge: Challenge, split: str, limit: int = 1000) -> list[dict]:
    """The best learner score of the board over time, oldest first: one point per change, read from the
    TopScoreChange rows that scoring records, never from the submissions.

    Each point: {"at" (datetime of the change), "score" (None if the board became empty), "participant",
    "submitted_at" (of the submission that holds the top)}. Baselines are not in it. Empty for a hidden split.
    """
    if not leaderboard_split_visible(challenge, split):
        return []
    changes = list(
        TopScoreChange.objects.filter(challenge=challenge, split=split)
        .select_related("user")
        .only("changed_at", "score", "submitted_at", "user__username")
        .order_by("-changed_at", "-id")[:limit]
    )
    return [
        {
            "at": change.changed_at,
            "score": change.score,
            "participant": change.user.username if change.user else None,
            "submitted_at": change.submitted_at,
        }
        for change in reversed(changes)
    ]
