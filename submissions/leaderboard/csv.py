"""The one CSV export of a board, for the REST API's download and the Kaggle CLI's: every row in rank order,
written by hub/spreadsheets.py, so nothing in it runs as a formula in a spreadsheet.

Each protocol names its columns (a header and how to read the cell from a row); the rows, their order and
their visibility are the board's.
"""

from collections.abc import Callable, Iterator, Sequence

from hub.spreadsheets import csv_lines
from projects.models import Challenge

from .reads import LeaderboardRow, leaderboard_all_rows
from .visibility import Viewer

Column = tuple[str, Callable[[LeaderboardRow], object]]

HUB_COLUMNS: Sequence[Column] = (
    ("rank", lambda row: "" if row.rank is None else row.rank),
    ("participant", lambda row: row.participant),
    ("score", lambda row: row.score),  # a float: csv writes it in full (repr), and it is never neutralised
    ("entries", lambda row: row.entries),
    ("submitted_at", lambda row: row.submitted_at.isoformat()),
    ("is_baseline", lambda row: "yes" if row.is_baseline else "no"),
)


def leaderboard_csv(
    *, challenge: Challenge, split: str, viewer: Viewer, columns: Sequence[Column] = HUB_COLUMNS
) -> Iterator[str]:
    """The header, then one line per row, each yielded as soon as it is written (for a streaming response).

    PrivateBoardHidden is raised here, at the call, before the first line."""
    rows = leaderboard_all_rows(challenge=challenge, split=split, viewer=viewer)

    def cells() -> Iterator[list[object]]:
        yield [header for header, _ in columns]
        for row in rows:
            yield [cell(row) for _, cell in columns]

    return csv_lines(cells(), lineterminator="\r\n")
