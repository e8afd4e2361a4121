"""Reads of submissions, limits and leaderboards."""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.http import Http404
from django.utils import timezone

from projects.models import Challenge
from projects.selectors import challenge_private_visible, challenges_visible, limit_override_of
from workers.scoring import METRICS

from .models import Leaderboard, LeaderboardEntry, Participant, Submission, TopScoreChange


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
    *,
    challenge: Challenge,
    user: AbstractBaseUser,
    count_total: bool = False,
    now: dt.datetime | None = None,
) -> Limits:
    """Failed submissions do not count: a learner is not punished for a file the hub could not read.

    Queued and running ones do count, or a learner could upload many at once before the first is scored.
    `used_total` is counted only when the challenge has a total limit or the caller asks for it (`count_total`),
    which saves a query on every upload to a challenge without one.
    """
    counted = Submission.objects.filter(challenge=challenge, user=user).exclude(
        status=Submission.Status.FAILED
    )
    day_start = utc_day_start(now)
    # A host may give one learner limits of their own (projects.LimitOverride); empty fields keep the challenge's.
    override = limit_override_of(challenge=challenge, user=user)
    daily_limit = challenge.daily_limit
    total_limit = challenge.total_limit
    if override is not None:
        daily_limit = override.daily_limit if override.daily_limit is not None else daily_limit
        total_limit = override.total_limit if override.total_limit is not None else total_limit
    return Limits(
        daily_limit=daily_limit,
        used_today=counted.filter(created_at__gte=day_start).count(),
        total_limit=total_limit,
        used_total=counted.count() if total_limit is not None or count_total else 0,
        resets_at=day_start + dt.timedelta(days=1),
    )


def leaderboard_learner_counts(*, challenge_ids: Iterable[int]) -> dict[int, int]:
    """How many learners (baselines aside) are on each challenge's public board: one query over the boards'
    rows, which hold their sizes, so it does not count entries."""
    boards = Leaderboard.objects.filter(
        challenge_id__in=list(challenge_ids), split=LeaderboardEntry.Split.PUBLIC
    ).values_list("challenge_id", "learners")
    return {challenge_id: learners for challenge_id, learners in boards if learners}


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


def _size(challenge: Challenge, split: str) -> Leaderboard | None:
    if not leaderboard_split_visible(challenge, split):
        return None
    return Leaderboard.objects.filter(challenge=challenge, split=split).only("rows", "learners").first()


def leaderboard_count(*, challenge: Challenge, split: str) -> int:
    """Rows on the board, baselines included (for paging): read from the board's row, not counted."""
    size = _size(challenge, split)
    return size.rows if size else 0


def leaderboard_learner_count(*, challenge: Challenge, split: str) -> int:
    """Learners on the board, who take ranks ("rank 12 of 340")."""
    size = _size(challenge, split)
    return size.learners if size else 0


# Rows are read as tuples: building 100 model instances (and their users) costs more than the query itself.
_ROW_FIELDS = (
    "user__username",
    "user_id",
    "score",
    "submitted_at",
    "entries",
    "is_baseline",
    "submission_id",
)


def _ranked(values: Iterable[tuple], rank: int) -> Iterator[LeaderboardRow]:
    """Rows from _ROW_FIELDS tuples in board order; `rank` is the number of learners before the first."""
    for participant, user_id, score, submitted_at, entries, is_baseline, submission_id in values:
        if not is_baseline:
            rank += 1
        yield LeaderboardRow(
            rank=None if is_baseline else rank,
            participant=participant,
            user_id=user_id,
            score=score,
            submitted_at=submitted_at,
            entries=entries,
            is_baseline=is_baseline,
            submission_id=submission_id,
        )


def leaderboard_rows(
    *, challenge: Challenge, split: str, offset: int = 0, limit: int = 100
) -> list[LeaderboardRow]:
    """One page of the board in rank order: one query, and on a later page one more that counts the few
    baselines before it (they take no rank), whatever the page size."""
    values = list(
        _board(challenge, split)
        .order_by(*_ORDER)
        .values_list(*_ROW_FIELDS, "sort_score")[offset : offset + limit]
    )
    if not values:
        return []
    baselines_before = 0
    if offset:
        *_, submitted_at, _entries, _is_baseline, submission_id, sort_score = values[0]
        first = LeaderboardEntry(
            sort_score=sort_score, submitted_at=submitted_at, submission_id=submission_id
        )
        baselines_before = _board(challenge, split).filter(is_baseline=True).filter(_ahead_of(first)).count()
    return list(_ranked((row[:-1] for row in values), offset - baselines_before))


def _ahead_of(entry: LeaderboardEntry | OuterRef) -> Q:
    """Entries ranked before `entry` (an entry, or OuterRef("pk")'s row in a subquery). The leading
    `sort_score >= x` is a range on the index, so a count reads only the entries ahead (and the ties)."""

    def field(name: str):
        return OuterRef(name) if isinstance(entry, OuterRef) else getattr(entry, name)

    return Q(sort_score__gte=field("sort_score")) & (
        Q(sort_score__gt=field("sort_score"))
        | Q(submitted_at__lt=field("submitted_at"))
        | Q(submitted_at=field("submitted_at"), submission_id__lt=field("submission_id"))
    )


def _learners_ahead() -> QuerySet:
    """A subquery: how many learners (not baselines) are ahead of the outer entry on its board, a range read from
    the learners-only index (leaderboard_learner_rank)."""
    return (
        LeaderboardEntry.objects.filter(
            challenge_id=OuterRef("challenge_id"), split=OuterRef("split"), is_baseline=False
        )
        .filter(_ahead_of(OuterRef("pk")))
        .order_by()
        # COUNT(1) as a plain function: an Aggregate would add a GROUP BY, which costs a comparison per row.
        .annotate(count=Func(Value(1), function="COUNT"))
        .values("count")
    )


def leaderboard_row_of(*, challenge: Challenge, split: str, user: AbstractBaseUser) -> LeaderboardRow | None:
    """The learner's own row and rank, however far down the board: one query, whose count of the learners
    ahead is a range read from the learners-only index (leaderboard_learner_rank), never from the table."""
    if not user.is_authenticated:
        return None
    learners_ahead = _learners_ahead()
    entry = next(
        iter(
            _board(challenge, split)
            .select_related("user")
            .filter(user=user)
            .annotate(learners_ahead=Subquery(learners_ahead))
        ),
        None,
    )
    if entry is None:
        return None
    return _row(entry, None if entry.is_baseline else entry.learners_ahead + 1)


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
    """The learner's rank on every published board they are on, and its number of learners: one query, each
    rank counted as leaderboard_row_of counts it (on the learners-only index), each size read from the board's
    Leaderboard row. Private boards still hidden are left out."""
    learners_ahead = _learners_ahead()
    board_size = Leaderboard.objects.filter(challenge_id=OuterRef("challenge_id"), split=OuterRef("split"))
    entries = (
        LeaderboardEntry.objects.filter(
            user=user,
            split=split,
            is_baseline=False,
            challenge__in=challenges_visible(viewer=user).values("pk"),
        )
        .select_related("challenge")
        .annotate(ahead=Subquery(learners_ahead), board_size=Subquery(board_size.values("learners")))
        .order_by("challenge__title")
    )
    return [
        BoardPosition(
            challenge=entry.challenge,
            rank=entry.ahead + 1,
            of=entry.board_size or 0,
            score=entry.score,
            entries=entry.entries,
        )
        for entry in entries
        if leaderboard_split_visible(entry.challenge, split)
    ]


def leaderboard_all_rows(
    *, challenge: Challenge, split: str, chunk_size: int = 2000, include_hidden: bool = False
) -> Iterator[LeaderboardRow]:
    """Every row of the board in rank order, streamed (one query; a server-side cursor on PostgreSQL).

    `include_hidden` is for the challenge's hosts only (their gradebook): the private board before it is shown."""
    board = (
        LeaderboardEntry.objects.filter(challenge=challenge, split=split)
        if include_hidden
        else _board(challenge, split)
    )
    values = board.order_by(*_ORDER).values_list(*_ROW_FIELDS)
    yield from _ranked(values.iterator(chunk_size=chunk_size), 0)


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


def submission_counts_by_status() -> dict[tuple[str, str], int]:
    """(challenge slug, status) -> submissions, for /metrics."""
    rows = Submission.objects.values_list("challenge__slug", "status").annotate(count=Count("id")).order_by()
    return {(slug, status): count for slug, status, count in rows}


@dataclass(frozen=True)
class ScoringTimes:
    """Scoring time (started_at to finished_at) of every finished submission, as a cumulative histogram."""

    buckets: list[tuple[float, int]]  # (upper bound in seconds, submissions that took at most that long)
    count: int
    total_seconds: float


def scoring_times(*, bucket_bounds: Iterable[float]) -> ScoringTimes:
    """One aggregate query over finished submissions: workers are other processes, so the database is the record.

    A submission rescored or recovered by the sweeper counts once, with its last run's time.
    """
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    bounds = list(bucket_bounds)
    finished = Submission.objects.filter(
        status__in=Submission.FINAL_STATUSES, started_at__isnull=False, finished_at__isnull=False
    ).annotate(duration=duration)
    totals = finished.aggregate(
        count=Count("id"),
        total=Sum("duration"),
        **{
            f"le{index}": Count("id", filter=Q(duration__lte=dt.timedelta(seconds=bound)))
            for index, bound in enumerate(bounds)
        },
    )
    total = totals["total"] or dt.timedelta(0)
    return ScoringTimes(
        buckets=[(bound, totals[f"le{index}"]) for index, bound in enumerate(bounds)],
        count=totals["count"],
        total_seconds=total.total_seconds(),
    )


def challenge_scoring_problem(*, challenge: Challenge) -> Submission | None:
    """The latest submission that the hub's side kept from being scored (its internal_error says why), for the
    hosts in the admin; learners only see that the challenge's scoring is broken."""
    return (
        Submission.objects.filter(challenge=challenge, status=Submission.Status.FAILED)
        .exclude(internal_error="")
        .only("pk", "internal_error", "finished_at")
        .order_by("-finished_at", "-pk")
        .first()
    )
