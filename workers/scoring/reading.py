"""Parsing a submission's rows with pyarrow, and explaining what went wrong when that fails.

The fast path is one multi-threaded ``pyarrow.csv.read_csv`` over the bytes after the header. Only when it
fails does the slow path run: it re-reads the file carefully to find the first offending lines, so that a
bad file costs more time than a good one, never the other way round.
"""

from __future__ import annotations

import codecs

import pyarrow as pa
import pyarrow.csv as pa_csv

from workers.scoring.errors import SubmissionRejected, count, plural
from workers.scoring.header import Header

# Values that mean "no value" in a numeric column; they are reported as blank, not as non-numeric.
MISSING_NUMBER_TEXTS = ["", "nan", "NaN", "NAN", "-nan", "-NaN", "NA", "N/A", "n/a", "null", "NULL", "None"]
BLOCK_BYTES = 1 << 20
UTF8_SLICE_BYTES = 1 << 20
_SHOWN_ROWS = 3


def read_rows(data: bytes | bytearray, header: Header, column_types: dict[str, pa.DataType]) -> pa.Table:
    """The rows after the header, with ``column_types`` keyed by the header's names.

    A column whose values do not all convert comes back as strings instead, so the caller can say which ids
    hold the offending values; any other problem (bad bytes, ragged rows) raises SubmissionRejected here.
    """
    body = pa.py_buffer(data).slice(header.body_offset)
    if body.size < 4096 and not body.to_pybytes().strip():
        raise _no_rows()
    try:
        table = _read(body, header, column_types)
    except pa.ArrowInvalid:
        table = _read_carefully(body, header, column_types)
    if table.num_rows == 0:
        raise _no_rows()
    return table


def _no_rows() -> SubmissionRejected:
    return SubmissionRejected("The file has a header but no rows. Add one row per id, below the header.")


def _read(body: pa.Buffer, header: Header, column_types: dict[str, pa.DataType], handler=None) -> pa.Table:
    read_options = pa_csv.ReadOptions(
        column_names=list(header.names), block_size=BLOCK_BYTES, use_threads=handler is None
    )
    parse_options = pa_csv.ParseOptions(
        delimiter=",", quote_char='"', double_quote=True, ignore_empty_lines=True, invalid_row_handler=handler
    )
    convert_options = pa_csv.ConvertOptions(
        column_types=column_types,
        null_values=MISSING_NUMBER_TEXTS,  # applies to numeric columns only, as strings cannot be null
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    return pa_csv.read_csv(
        pa.BufferReader(body),
        read_options=read_options,
        parse_options=parse_options,
        convert_options=convert_options,
    )


def _read_carefully(body: pa.Buffer, header: Header, column_types: dict[str, pa.DataType]) -> pa.Table:
    _check_utf8(body, header)
    ragged: list[tuple[int, str, int]] = []  # the first few, for the message
    ragged_count = 0

    def note_ragged(row: pa_csv.InvalidRow) -> str:
        nonlocal ragged_count
        # Lines of only spaces are as harmless as empty lines, which the parser already skips.
        if row.text.strip():
            ragged_count += 1
            if len(ragged) < _SHOWN_ROWS:
                ragged.append((row.number, row.text, row.actual_columns))
        return "skip"

    as_text = {name: pa.string() for name in header.names}
    try:
        table = _read(body, header, as_text, handler=note_ragged)
    except pa.ArrowInvalid:
        raise SubmissionRejected(_unreadable_message(body, header)) from None
    if ragged:
        raise SubmissionRejected(_ragged_message(ragged, ragged_count, header))
    try:
        return table.cast(pa.schema([(name, column_types.get(name, pa.string())) for name in header.names]))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Some value does not convert: hand back the text and let the caller name the rows.
        return table


def _check_utf8(body: pa.Buffer, header: Header) -> None:
    """Decode in slices, so a large upload is never held a second time as text."""
    raw = memoryview(body)
    decoder = codecs.getincrementaldecoder("utf-8")()
    start = 0
    try:
        for start in range(0, len(raw), UTF8_SLICE_BYTES):
            decoder.decode(raw[start : start + UTF8_SLICE_BYTES], final=start + UTF8_SLICE_BYTES >= len(raw))
    except UnicodeDecodeError as error:
        # error.start counts from the slice, plus any bytes of a character carried over from the slice before.
        position = max(
            0, start + error.start - len(error.object) + len(raw[start : start + UTF8_SLICE_BYTES])
        )
        line = header.line_number + 1 + bytes(raw[:position]).count(b"\n")
        bad = bytes(raw[position : position + 1]).hex().upper()
        raise SubmissionRejected(
            f"The file is not UTF-8 text: line {count(line)} holds the byte 0x{bad}, which is not UTF-8. "
            "Save the file as CSV in UTF-8 (in Excel: 'CSV UTF-8')."
        ) from None


def _ragged_message(ragged: list[tuple[int, str, int]], ragged_count: int, header: Header) -> str:
    expected = len(header.names)
    texts = [text for _, text, _ in ragged]
    if all(";" in text or "\t" in text for text in texts) and not any("," in text for text in texts):
        delimiter = "';'" if ";" in texts[0] else "tabs"
        return f"The rows use {delimiter} between values; use commas, as the header does."
    where = "; ".join(
        f"line {count(header.line_number + number)} has {actual} ({_shorten(text)})"
        for number, text, actual in ragged[:_SHOWN_ROWS]
    )
    many = f"{plural(ragged_count, 'line')} do" if ragged_count > 1 else "A line does"
    return (
        f"{many} not have {expected} values like the header ({','.join(header.names)}): {where}. "
        "Quote values that contain commas, and give every row one value per column."
    )


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _unreadable_message(body: pa.Buffer, header: Header) -> str:
    """Why pyarrow could not split the rows, in our words: its own ("straddling object straddles two block
    boundaries") are about its parser, not the file. A row longer than a parse block is the one case it meets
    after the careful pass has skipped ragged rows; anything else gets the general advice."""
    long_line = _first_long_line(memoryview(body))
    if long_line is not None:
        number, length, commas = long_line
        return (
            f"Line {count(header.line_number + number)} is {length / 1e6:.1f} MB long, with "
            f"{plural(commas, 'comma')}; a row holds an id and its predictions, {len(header.names)} values like "
            f"the header ({','.join(header.names)}). Check for a missing line break or an unclosed quote."
        )
    return (
        "The rows cannot be read as CSV. Check that every quote is closed and that each row ends with a line "
        "break, then upload the file again."
    )


def _first_long_line(raw: memoryview) -> tuple[int, int, int] | None:
    """(number from 1, bytes, commas) of the first line longer than a parse block, or None; one pass."""
    data = raw.obj if isinstance(raw.obj, bytes) else bytes(raw)
    start, number = 0, 1
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > BLOCK_BYTES:
            return number, end - start, data.count(b",", start, end)
        start, number = end + 1, number + 1
    return None
