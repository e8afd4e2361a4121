"""The leaderboards: writes (the stored best entries, kept current as scores are stored), reads (one page of a
board for every caller, a learner's row, the histories), the one CSV export, the one visibility rule and the
one sort order of each metric."""

from .csv import HUB_COLUMNS, Column, leaderboard_csv
from .ordering import ENTRY_ORDER, higher_is_better, sort_key, sort_score
from .reads import (
    BoardPosition,
    LeaderboardPage,
    LeaderboardRow,
    leaderboard_all_rows,
    leaderboard_learner_counts,
    leaderboard_page,
    leaderboard_positions_of,
    leaderboard_row_of,
    score_history,
    top_score_history,
)
from .visibility import (
    PrivateBoardHidden,
    Viewer,
    VisibleScores,
    leaderboard_split_check,
    leaderboard_split_visible,
    visible_scores,
)
from .writes import (
    FINAL_SELECTION_MAX,
    Best,
    Candidate,
    best_entries,
    board_lock,
    board_recount,
    leaderboard_refresh_participant,
    rolling_window_start,
)

__all__ = [
    "ENTRY_ORDER",
    "FINAL_SELECTION_MAX",
    "HUB_COLUMNS",
    "Best",
    "BoardPosition",
    "Candidate",
    "Column",
    "LeaderboardPage",
    "LeaderboardRow",
    "PrivateBoardHidden",
    "Viewer",
    "VisibleScores",
    "best_entries",
    "board_lock",
    "board_recount",
    "higher_is_better",
    "leaderboard_all_rows",
    "leaderboard_csv",
    "leaderboard_learner_counts",
    "leaderboard_page",
    "leaderboard_positions_of",
    "leaderboard_refresh_participant",
    "leaderboard_row_of",
    "leaderboard_split_check",
    "leaderboard_split_visible",
    "rolling_window_start",
    "score_history",
    "sort_key",
    "sort_score",
    "top_score_history",
    "visible_scores",
]
