"""The one CSV writer of every file the hub hands out: nothing in it runs as a formula in a spreadsheet.

Every CSV export goes through it (the REST leaderboard export, the Kaggle CLI's leaderboard download), so that a
participant named `=HYPERLINK(...)` is a name, not a formula, in Excel, LibreOffice and Google Sheets.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets (OWASP, "CSV
# Injection"); tab and carriage return are on the list because some programs strip them and read what follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is only a number (a score written as "-0.12500") is read as that number, never as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SpreadsheetSafeWriter:
    """csv.writer's writerow and writerows, every cell passed through spreadsheet_safe first."""

    def __init__(self, file: _Writable, **options: Any):
        self._writer = csv.writer(file, **options)

    def writerow(self, cells: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in cells])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for cells in rows:
            self.writerow(cells)


def csv_lines(rows: Iterable[Iterable[object]], **options: Any) -> Iterator[str]:
    """Each row as one CSV line, yielded as soon as it is written (for a streaming response)."""
    buffer = io.StringIO()
    writer = SpreadsheetSafeWriter(buffer, **options)
    for cells in rows:
        writer.writerow(cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_text(rows: Iterable[Iterable[object]], **options: Any) -> str:
    """The whole CSV as one string, for files small enough to build in memory (a zipped leaderboard)."""
    return "".join(csv_lines(rows, **options))
