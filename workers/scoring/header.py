"""The first line of a submission: decode it, read its column names, and pick the layout it is written in.

Column order is free; names match exactly after trimming whitespace and a UTF-8 byte-order mark, or failing
that case-insensitively. When nothing matches, the message names the expected columns and the likeliest
cause: another delimiter, a pandas index column, a missing header.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from workers.scoring.errors import SubmissionRejected, first_few
from workers.scoring.spec import SubmissionFormat

BOM = b"\xef\xbb\xbf"
# A header is short; a first line this long without a newline means the file is not a CSV of predictions,
# and scanning further would only cost time.
MAX_HEADER_BYTES = 1024 * 1024
_DELIMITERS = {";": "';'", "\t": "tabs", "|": "'|'"}


@dataclass(frozen=True)
class Header:
    names: tuple[str, ...]  # trimmed, in file order
    body_offset: int  # where the first data row starts
    line_number: int  # the header's line number (1 unless blank lines precede it)


@dataclass(frozen=True)
class Layout:
    """One accepted way of writing a submission: a format and the columns it expects."""

    submission_format: SubmissionFormat
    id_column: str
    prediction_columns: tuple[str, ...]  # one target column, or one column per label
    solution_id_column: str  # where the solution holds this layout's ids

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.id_column, *self.prediction_columns)


@dataclass(frozen=True)
class Match:
    layout: Layout
    # expected column name -> the name as written in this file (they differ only by case)
    file_names: dict[str, str]


def read_header(data: bytes | bytearray | memoryview) -> Header:
    """The header of CSV bytes that read_upload() returned (and so sniff() passed as text)."""
    view = memoryview(data)
    offset = 3 if bytes(view[:3]) == BOM else 0
    line_number = 1
    while True:
        end, next_line = _line_end(view, offset)
        line = bytes(view[offset:end])
        if line.strip():
            break
        if next_line >= len(view):
            raise SubmissionRejected("The file is empty. Upload a CSV with a header row and one row per id.")
        offset, line_number = next_line, line_number + 1
    try:
        text = line.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise SubmissionRejected(
            "The first line is not UTF-8 text. Save the file as CSV in UTF-8 (in Excel: 'CSV UTF-8')."
        ) from None
    try:
        fields = next(csv.reader([text]), [])
    except csv.Error:
        # Python's csv module refuses fields over its limit (128 KB) and a few malformed quotes; its own words
        # ("field larger than field limit (131072)") mean nothing to a learner.
        raise SubmissionRejected(
            "The header line cannot be read as CSV: a column name is over 128 KB long or its quotes are not "
            'closed. Start the file with a short header row, such as "id,label".'
        ) from None
    names = tuple(name.strip().lstrip("\ufeff").strip() for name in fields)
    if not any(names):
        raise SubmissionRejected("The first line names no columns. Start the file with a header row.")
    return Header(names, next_line, line_number)


def _line_end(view: memoryview, start: int) -> tuple[int, int]:
    """Where the line starting at ``start`` ends, and where the next one starts (\n, \r\n or a lone \r)."""
    limit = min(len(view), start + MAX_HEADER_BYTES)
    head = bytes(view[start:limit])
    ends = [position for position in (head.find(b"\n"), head.find(b"\r")) if position >= 0]
    if not ends:
        if limit < len(view):
            raise SubmissionRejected("The first line of the file is over 1 MB long; it is not a CSV header.")
        return len(view), len(view)
    end = start + min(ends)
    return end, end + (2 if bytes(view[end : end + 2]) == b"\r\n" else 1)


def match_layout(header: Header, layouts: Sequence[Layout]) -> Match:
    """The layout whose columns are exactly the header's, or SubmissionRejected explaining the mismatch."""
    duplicated = [name for name, times in Counter(header.names).items() if times > 1]
    if duplicated:
        raise SubmissionRejected(
            f"The header names {first_few(duplicated)} more than once; each column must appear once."
        )
    written = set(header.names)
    for layout in layouts:
        if written == set(layout.columns):
            return Match(layout, {name: name for name in layout.columns})
    folded = {name.casefold(): name for name in header.names}
    for layout in layouts:
        if len(folded) == len(header.names) and set(folded) == {name.casefold() for name in layout.columns}:
            return Match(layout, {name: folded[name.casefold()] for name in layout.columns})
    raise SubmissionRejected(_mismatch_message(header, layouts))


def _describe(layout: Layout) -> str:
    return ",".join(layout.columns)


def _mismatch_message(header: Header, layouts: Sequence[Layout]) -> str:
    primary = layouts[0]
    expected = f"The header must name the columns {_describe(primary)} (in any order)"
    if len(layouts) > 1:
        expected += "; also accepted: " + "; ".join(_describe(layout) for layout in layouts[1:])
    written = ",".join(header.names)
    if len(header.names) == 1:
        for delimiter, name in _DELIMITERS.items():
            if delimiter in header.names[0]:
                return f"The file uses {name} between values; use commas. {expected}."
    if header.names[0] in ("", "Unnamed: 0") and any(
        set(header.names[1:]) == set(layout.columns) for layout in layouts
    ):
        return (
            "The first column has no name: it looks like the row index pandas writes by default. "
            "Save the file with to_csv(..., index=False)."
        )
    if all(_looks_like_a_value(name) for name in header.names):
        return f"The first line should be a header: {expected}. The file starts with data instead: {written}."
    expected_names = set(primary.columns)
    missing = [name for name in primary.columns if name not in header.names]
    unexpected = [name for name in header.names if name not in expected_names]
    details = []
    if missing:
        details.append(f"missing {first_few(missing, 10)}")
    if unexpected:
        details.append(f"not expected {first_few(unexpected, 10)}")
    return f"{expected}. This file's header is {first_few([written], 1)}: {'; '.join(details)}."


def _looks_like_a_value(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
