"""The choice of a participant's best submissions, as a pure function (no database)."""

import datetime as dt

from submissions.leaderboard import Candidate, best_entries

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def candidate(id: int, public: float, private: float | None = None, *, minute: int = 0, final: bool = False):
    return Candidate(
        id=id,
        public_score=public,
        private_score=public if private is None else private,
        is_final=final,
        created_at=T0 + dt.timedelta(minutes=minute),
        is_baseline=False,
    )


def chosen(candidates, higher_is_better: bool = True) -> tuple[int | None, int | None]:
    public, private = best_entries(candidates, higher_is_better=higher_is_better)
    return (public.submission.id if public else None, private.submission.id if private else None)


def test_nothing_scored_gives_no_entries():
    assert chosen([]) == (None, None)


def test_the_earliest_of_equal_scores_wins_and_the_id_breaks_a_same_time_tie():
    assert chosen([candidate(3, 0.8, minute=5), candidate(2, 0.8, minute=1), candidate(1, 0.7)])[0] == 2
    assert chosen([candidate(9, 0.8, minute=1), candidate(4, 0.8, minute=1)])[0] == 4


def test_the_direction_of_the_metric_decides_the_best():
    pool = [candidate(1, 0.3), candidate(2, 0.1), candidate(3, 0.2)]
    assert chosen(pool, higher_is_better=True) == (1, 1)
    assert chosen(pool, higher_is_better=False) == (2, 2)


def test_without_finals_the_private_best_comes_from_the_two_best_public():
    pool = [candidate(1, 0.9, 0.1), candidate(2, 0.8, 0.2), candidate(3, 0.1, 0.99)]
    assert chosen(pool) == (1, 2)


def test_with_finals_only_they_count_for_the_private_board():
    pool = [candidate(1, 0.9, 0.9), candidate(2, 0.2, 0.3, final=True), candidate(3, 0.1, 0.4, final=True)]
    assert chosen(pool) == (1, 3)


def test_a_solution_without_private_rows_leaves_the_private_board_empty():
    pool = [
        Candidate(
            id=1, public_score=0.5, private_score=None, is_final=False, created_at=T0, is_baseline=False
        )
    ]
    assert chosen(pool) == (1, None)
