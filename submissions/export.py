"""The leaderboard as CSV, safe to open in a spreadsheet (hub/spreadsheets.py writes every CSV the hub gives)."""

from collections.abc import Iterable, Iterator

from hub.spreadsheets import csv_lines, spreadsheet_safe

from .selectors import LeaderboardRow

__all__ = ["CSV_HEADER", "leaderboard_csv", "spreadsheet_safe"]

CSV_HEADER = ["rank", "participant", "score", "entries", "submitted_at", "is_baseline"]


def leaderboard_csv(rows: Iterable[LeaderboardRow]) -> Iterator[str]:
    """The header, then one line per row, each yielded as soon as it is written (for a streaming response)."""

    def lines() -> Iterator[list[object]]:
        yield CSV_HEADER
        for row in rows:
            yield [
                "" if row.rank is None else row.rank,
                row.participant,
                row.score,  # a float: csv writes it in full (repr), and it is never neutralised
                row.entries,
                row.submitted_at.isoformat(),
                "yes" if row.is_baseline else "no",
            ]

    return csv_lines(lines(), lineterminator="\r\n")
