"""The leaderboard as CSV, safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterable, Iterator

from .selectors import LeaderboardRow

CSV_HEADER = ["rank", "participant", "score", "entries", "submitted_at", "is_baseline"]
# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets (OWASP, "CSV
# Injection"); tab and carriage return are on the list because some programs strip them and read what follows.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def leaderboard_csv(rows: Iterable[LeaderboardRow]) -> Iterator[str]:
    """The header, then one line per row, each yielded as soon as it is written (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: list[object]) -> str:
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(CSV_HEADER)
    for row in rows:
        yield line(
            [
                "" if row.rank is None else row.rank,
                row.participant,
                row.score,  # a float: csv writes it in full (repr), and it is never neutralised
                row.entries,
                row.submitted_at.isoformat(),
                "yes" if row.is_baseline else "no",
            ]
        )
