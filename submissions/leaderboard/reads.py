"""Reads of the boards: one page of rows (the one paging of a board, for every caller), a learner's own row,
every row for the CSV, each learner's positions and the histories for the charts.

Every read goes through `_board`, which refuses a private board that is still hidden (PrivateBoardHidden), and
builds its rows with `_row`, so a change to what a row is (teams instead of learners) is made in one place.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Func, OuterRef, Q, QuerySet, Subquery, Value

from hub.pagination import Window, page_window
from projects.models import Challenge
from projects.selectors import profile_challenges

from ..models import Leaderboard, LeaderboardEntry, Submission, TeamMember, TopScoreChange
from .ordering import ENTRY_ORDER, sort_score
from .visibility import Viewer, leaderboard_split_check, leaderboard_split_visible


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int | None  # None for baseline rows, which take no rank from learners
    participant: str  # the team's name; a learner on their own: their username
    user_id: int  # the team's leader
    score: float
    submitted_at: dt.datetime
    entries: int
    is_baseline: bool
    submission_id: int
    team_id: int = 0
    members: tuple[str, ...] = ()  # filled by _with_members, for the reads that show them

    @property
    def team(self) -> dict:
        return {"id": self.team_id, "name": self.participant}


def leaderboard_learner_counts(*, challenge_ids: Iterable[int]) -> dict[int, int]:
    """How many learners (baselines aside) are on each challenge's public board: one query over the boards'
    rows, which hold their sizes, so it does not count entries."""
    boards = Leaderboard.objects.filter(
        challenge_id__in=list(challenge_ids), split=LeaderboardEntry.Split.PUBLIC
    ).values_list("challenge_id", "learners")
    return {challenge_id: learners for challenge_id, learners in boards if learners}


def _entries(challenge: Challenge, split: str) -> QuerySet[LeaderboardEntry]:
    """The board's entries, unchecked: for the reads below, each of which checks the board's visibility first."""
    return LeaderboardEntry.objects.filter(challenge=challenge, split=split)


def _board(challenge: Challenge, split: str, viewer: Viewer) -> QuerySet[LeaderboardEntry]:
    """The board's entries; PrivateBoardHidden for a private board that is still hidden."""
    leaderboard_split_check(challenge=challenge, split=split, viewer=viewer)
    return _entries(challenge, split)


# Rows are read as tuples: building 100 model instances (and their users) costs more than the query itself.
_ROW_FIELDS = (
    "participant__name",
    "user__username",
    "participant_id",
    "user_id",
    "score",
    "submitted_at",
    "entries",
    "is_baseline",
    "submission_id",
)


def _row(values: tuple, rank: int | None) -> LeaderboardRow:
    """A row from a _ROW_FIELDS tuple: the one place that says what a board's row is."""
    team_name, leader, team_id, user_id, score, submitted_at, entries, is_baseline, submission_id = values
    return LeaderboardRow(
        rank=None if is_baseline else rank,
        participant=team_name or leader,
        team_id=team_id,
        user_id=user_id,
        score=score,
        submitted_at=submitted_at,
        entries=entries,
        is_baseline=is_baseline,
        submission_id=submission_id,
    )


def _ranked(values: Iterable[tuple], rank: int) -> Iterator[LeaderboardRow]:
    """Rows from _ROW_FIELDS tuples in board order; `rank` is the number of learners before the first."""
    for row in values:
        is_baseline = row[7]
        if not is_baseline:
            rank += 1
        yield _row(row, rank)


def _rows(challenge: Challenge, split: str, *, offset: int, limit: int) -> list[LeaderboardRow]:
    """Rows in rank order: one query, and on a later page one more that counts the few baselines before it
    (they take no rank), whatever the page size. The caller has checked the board's visibility."""
    board = _entries(challenge, split)
    values = list(
        board.order_by(*ENTRY_ORDER).values_list(*_ROW_FIELDS, "sort_score")[offset : offset + limit]
    )
    if not values:
        return []
    baselines_before = 0
    if offset:
        *_, submitted_at, _count, _is_baseline, submission_id, first_sort_score = values[0]
        first = LeaderboardEntry(
            sort_score=first_sort_score, submitted_at=submitted_at, submission_id=submission_id
        )
        baselines_before = board.filter(is_baseline=True).filter(_ahead_of(first)).count()
    return _with_members(list(_ranked((row[:-1] for row in values), offset - baselines_before)))


def _with_members(rows: list[LeaderboardRow]) -> list[LeaderboardRow]:
    """The rows with their teams' members, in the order they joined: one query for the whole page."""
    if not rows:
        return rows
    members: dict[int, list[str]] = {}
    names = (
        TeamMember.objects.filter(participant_id__in=[row.team_id for row in rows])
        .order_by("joined_at", "id")
        .values_list("participant_id", "user__username")
    )
    for team_id, username in names:
        members.setdefault(team_id, []).append(username)
    return [replace(row, members=tuple(members.get(row.team_id, ()))) for row in rows]


@dataclass(frozen=True)
class LeaderboardPage:
    """One page of a board: its rows, the board's size (baselines included) and the links to its neighbours,
    each link as the caller's protocol writes it (None where there is no such page)."""

    rows: list[LeaderboardRow]
    count: int
    learners: int  # the learners on the board (who take ranks): baselines are not counted
    number: int
    size: int
    offset: int
    last_page: int
    next: str | None
    previous: str | None


def leaderboard_learner_count(*, challenge: Challenge, split: str, viewer: Viewer = None) -> int:
    """Learners on the board, who take ranks ("rank 12 of 340"): read from the board's row, not counted."""
    leaderboard_split_check(challenge=challenge, split=split, viewer=viewer)
    size = Leaderboard.objects.filter(challenge=challenge, split=split).only("learners").first()
    return size.learners if size else 0


def _page_number(window: Window) -> str:
    return str(window.number)


def leaderboard_page(
    *,
    challenge: Challenge,
    split: str,
    viewer: Viewer,
    page: object = None,
    page_size: object = None,
    offset: object = None,
    default_size: int,
    names: tuple[str, str, str] = ("page", "page_size", "offset"),
    link: Callable[[Window], str] = _page_number,
    past_last: Literal["empty", "last"] = "empty",
) -> LeaderboardPage:
    """The one paging of a board, for the pages, the REST API and every client: by page number or by offset
    (a page token), through hub.pagination.page_window (PagingError for a value out of range).

    PrivateBoardHidden, before any value is read, for a private board that is still hidden. A page past the
    last is empty (`past_last="empty"`, as the APIs answer it) or the last page (`"last"`, as the web pages
    show it). The size is the board's row, not a count; the rows are one indexed range read.
    """
    leaderboard_split_check(challenge=challenge, split=split, viewer=viewer)
    window = page_window(
        page=page, page_size=page_size, offset=offset, default_size=default_size, names=names
    )
    size = Leaderboard.objects.filter(challenge=challenge, split=split).only("rows", "learners").first()
    count, learners = (size.rows, size.learners) if size else (0, 0)
    last_page = max((count + window.size - 1) // window.size, 1)
    if past_last == "last" and window.number > last_page:
        window = Window(number=last_page, size=window.size, offset=(last_page - 1) * window.size)
    rows = _rows(challenge, split, offset=window.offset, limit=window.limit)
    following = Window(number=window.number + 1, size=window.size, offset=window.offset + window.size)
    preceding = Window(number=window.number - 1, size=window.size, offset=max(window.offset - window.size, 0))
    return LeaderboardPage(
        rows=rows,
        count=count,
        learners=learners,
        number=window.number,
        size=window.size,
        offset=window.offset,
        last_page=last_page,
        next=link(following) if following.offset < count else None,
        previous=link(preceding) if window.number > 1 else None,
    )


def _ahead_of(entry: LeaderboardEntry | OuterRef) -> Q:
    """Entries ranked before `entry` (an entry, or OuterRef("pk")'s row in a subquery), in ENTRY_ORDER. The
    leading `sort_score >= x` is a range on the index, so a count reads only the entries ahead (and the ties)."""

    def field(name: str):
        return OuterRef(name) if isinstance(entry, OuterRef) else getattr(entry, name)

    return Q(sort_score__gte=field("sort_score")) & (
        Q(sort_score__gt=field("sort_score"))
        | Q(submitted_at__lt=field("submitted_at"))
        | Q(submitted_at=field("submitted_at"), submission_id__lt=field("submission_id"))
    )


def _learners_ahead() -> QuerySet:
    """A subquery: how many learners (not baselines) are ahead of the outer entry on its board, a range read from
    the learners-only index (leaderboard_learner_rank). The one ranking query of a single row."""
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
    """The learner's own row and rank, however far down the board (the learner is the viewer): one query, whose
    count of the learners ahead is a range read from the learners-only index, never from the table."""
    if not user.is_authenticated:
        return None
    values = next(
        iter(
            _board(challenge, split, user)
            .filter(participant__members__user=user)
            .annotate(learners_ahead=Subquery(_learners_ahead()))
            .values_list(*_ROW_FIELDS, "learners_ahead")
        ),
        None,
    )
    if values is None:
        return None
    *row, learners_ahead = values
    return _with_members([_row(tuple(row), learners_ahead + 1)])[0]


@dataclass(frozen=True)
class BoardPosition:
    """A learner's place on one challenge's board, for the profile page."""

    challenge: Challenge
    rank: int
    of: int
    score: float
    entries: int


def leaderboard_positions_of(
    *, user: AbstractBaseUser, split: str = "public", viewer: Viewer = None
) -> list[BoardPosition]:
    """The learner's rank on every published board they are on, and its number of learners: one query, each
    rank counted as leaderboard_row_of counts it, each size read from the board's Leaderboard row. Private
    boards still hidden are left out, and so is every challenge the viewer (the learner, unless another
    person looks at their public profile) may not see."""
    board_size = Leaderboard.objects.filter(challenge_id=OuterRef("challenge_id"), split=OuterRef("split"))
    entries = (
        LeaderboardEntry.objects.filter(
            participant__members__user=user,
            split=split,
            is_baseline=False,
            challenge__in=profile_challenges(user=user, viewer=viewer).values("pk"),
        )
        .select_related("challenge")
        .annotate(ahead=Subquery(_learners_ahead()), board_size=Subquery(board_size.values("learners")))
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
        if leaderboard_split_visible(entry.challenge, split, user)
    ]


def leaderboard_all_rows(
    *, challenge: Challenge, split: str, viewer: Viewer = None, chunk_size: int = 2000
) -> Iterator[LeaderboardRow]:
    """Every row of the board in rank order, streamed (one query; a server-side cursor on PostgreSQL).
    PrivateBoardHidden is raised at the call, not at the first row, so a response can still refuse."""
    values = _board(challenge, split, viewer).order_by(*ENTRY_ORDER).values_list(*_ROW_FIELDS)
    return _ranked(values.iterator(chunk_size=chunk_size), 0)


def score_history(
    *, challenge: Challenge, user: AbstractBaseUser, split: str, limit: int = 2000
) -> list[dict]:
    """The learner's scores over time, oldest first, for a chart: the `limit` most recent counted submissions.

    Each point: {"submission_id", "submitted_at" (datetime), "score", "best" (the best so far, the step line
    the board follows), "is_final"}. Failed and disqualified submissions are left out, as the board leaves them
    out. Empty for the private split while it is hidden, even for the learner's own scores.
    """
    if not user.is_authenticated or not leaderboard_split_visible(challenge, split, user):
        return []
    field = "public_score" if split == LeaderboardEntry.Split.PUBLIC else "private_score"
    rows = list(
        Submission.objects.filter(
            challenge=challenge,
            participant__members__user=user,
            is_disqualified=False,
            **{f"{field}__isnull": False},
        )
        .exclude(status=Submission.Status.FAILED)
        .order_by("-created_at", "-id")
        .values_list("id", "created_at", field, "is_final")[:limit]
    )
    points: list[dict] = []
    best: float | None = None
    for submission_id, created_at, score, is_final in reversed(rows):
        if best is None or sort_score(challenge, score) > sort_score(challenge, best):
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


def top_score_history(
    *, challenge: Challenge, split: str, viewer: Viewer = None, limit: int = 1000
) -> list[dict]:
    """The best learner score of the board over time, oldest first: one point per change, read from the
    TopScoreChange rows that scoring records, never from the submissions.

    Each point: {"at" (datetime of the change), "score" (None if the board became empty), "participant",
    "submitted_at" (of the submission that holds the top)}. Baselines are not in it. Empty for a hidden split.

    "participant" is the *current* name of the team the top submission counts for, as on the boards (a
    renamed team, a team merged into another, a learner whose team of one became a named team: all show as
    they are now); None once that team is gone (its last member's account deleted).
    """
    if not leaderboard_split_visible(challenge, split, viewer):
        return []
    changes = list(
        TopScoreChange.objects.filter(challenge=challenge, split=split)
        .select_related("user", "participant__user")
        .only(
            "changed_at",
            "score",
            "submitted_at",
            "user__username",
            "participant__name",
            "participant__user__username",
        )
        .order_by("-changed_at", "-id")[:limit]
    )
    return [
        {
            "at": change.changed_at,
            "score": change.score,
            "participant": change.participant.display_name
            if change.participant
            else (change.user.username if change.user else None),  # rows older than teams
            "submitted_at": change.submitted_at,
        }
        for change in reversed(changes)
    ]
