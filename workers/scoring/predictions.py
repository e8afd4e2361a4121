"""Reading a submission's prediction columns into arrays, refusing values a metric cannot score.

Each reader returns one value (or row of values) per submitted row, in the file's order, and raises
SubmissionRejected naming the first offending ids. Label columns arrive dictionary-encoded from pyarrow, so
checking and encoding them touches each distinct label once, not each row.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workers.scoring.errors import SubmissionRejected, agree, first_few, plural
from workers.scoring.parallel import THREADS

# Multiclass probability rows must sum to 1 within this; they are then rescaled to sum to exactly 1, as
# Kaggle does. Six printed decimals over a hundred labels stay well inside it; a forgotten column does not.
ROW_SUM_TOLERANCE = 1e-3
MISSING_LABEL_TEXTS = frozenset({"", "nan", "-nan", "na", "n/a", "null", "none", "#n/a"})
_NUMBER_PATTERN = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_SHOWN = 5


@dataclass(frozen=True)
class Vocabulary:
    """The labels a challenge scores, in code order."""

    labels: tuple[str, ...]
    closed: bool  # a label outside the list is refused (allowed labels were given, or the metric is ordinal)


class RowNamer:
    """Names submitted rows by their id, which a learner can search for in their file."""

    def __init__(self, ids: pa.ChunkedArray) -> None:
        self.ids = ids

    def ids_of(self, rows: np.ndarray) -> list[str]:
        return [str(value).strip() for value in self.ids.take(pa.array(rows[:_SHOWN])).to_pylist()]

    def describe(self, rows: np.ndarray, values: list[object] | None = None) -> str:
        """'id 1043' / 'ids 1043, 1044' or, with values, "'cat' (id 1043), 'dog' (id 1044)"."""
        ids = self.ids_of(rows)
        if values is None:
            return ("id " if len(rows) == 1 else "ids ") + first_few(ids)
        return ", ".join(
            f"{first_few([value], 1) or repr('')} (id {first_few([row_id], 1)})"
            for value, row_id in zip(values, ids, strict=False)
        )


def _blank_message(rows: np.ndarray, column: str, namer: RowNamer) -> str:
    return (
        f"{plural(len(rows), 'row')} {agree(len(rows), 'has', 'have')} no value (blank or NaN) in {column} "
        f"({namer.describe(rows)}). Every row needs a prediction."
    )


def code_dtype(count: int) -> type[np.signedinteger]:
    """The smallest signed integer type for codes 0 .. count - 1 and the negative markers beside them.

    Small codes make every gather and comparison of them cheaper: labels and items are rarely over 127.
    """
    return np.int8 if count < 2**7 - 3 else np.int16 if count < 2**15 - 3 else np.int32


def read_label_codes(
    column: pa.ChunkedArray, name: str, vocabulary: Vocabulary, namer: RowNamer
) -> tuple[np.ndarray, int]:
    """Label codes per row and the number of codes in use.

    Labels outside an open vocabulary get codes after it, so that metrics averaging over labels count them.
    """
    chunks = [
        chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
        for chunk in column.chunks
    ]
    known = pa.array(vocabulary.labels, type=pa.string())
    extra_codes: dict[str, int] = {}
    code_maps = []
    for chunk in chunks:
        dictionary = pc.utf8_trim_whitespace(chunk.dictionary)
        codes = pc.index_in(dictionary, value_set=known).fill_null(-1).to_numpy().astype(np.int64)
        unknown = np.flatnonzero(codes < 0)
        if len(unknown) and not vocabulary.closed:
            texts = dictionary.take(pa.array(unknown)).to_pylist()
            for slot, text in zip(unknown, texts, strict=True):
                if (
                    text.casefold() not in MISSING_LABEL_TEXTS
                ):  # blanks stay -1, explained below with their rows
                    codes[slot] = extra_codes.setdefault(text, len(vocabulary.labels) + len(extra_codes))
        code_maps.append(codes)
    if any((codes < 0).any() for codes in code_maps):
        raise SubmissionRejected(_label_problem(chunks, code_maps, name, vocabulary, namer))
    code_count = len(vocabulary.labels) + len(extra_codes)
    dtype = code_dtype(code_count)
    out = np.empty(len(column), dtype=dtype)
    start = 0
    for chunk, codes in zip(chunks, code_maps, strict=True):
        indices = chunk.indices.to_numpy()
        np.take(codes.astype(dtype), indices, out=out[start : start + len(indices)])
        start += len(indices)
    return out, code_count


def _label_problem(chunks, code_maps, name: str, vocabulary: Vocabulary, namer: RowNamer) -> str:
    bad_rows = []
    offset = 0
    for chunk, codes in zip(chunks, code_maps, strict=True):
        bad_rows.append(np.flatnonzero(codes[chunk.indices.to_numpy()] < 0) + offset)
        offset += len(chunk)
    rows = np.concatenate(bad_rows)
    texts = pa.chunked_array(chunks).take(pa.array(rows)).cast(pa.string()).to_pylist()
    blank = np.array([text.strip().casefold() in MISSING_LABEL_TEXTS for text in texts])
    if blank.any():
        return _blank_message(rows[blank], name, namer)
    allowed = ", ".join(vocabulary.labels[:20]) + (", ..." if len(vocabulary.labels) > 20 else "")
    return (
        f"{plural(len(rows), 'row')} {agree(len(rows), 'holds', 'hold')} a label not allowed in {name}: "
        f"{namer.describe(rows, [text.strip() for text in texts[:_SHOWN]])}. Allowed labels: {allowed}."
    )


def read_numbers(
    column: pa.ChunkedArray,
    name: str,
    namer: RowNamer,
    *,
    low: float | None = None,
    high: float | None = None,
    low_exclusive: bool = False,
    what: str = "number",
) -> np.ndarray:
    """Finite floats per row, each within [low, high] (or (low, high] with low_exclusive)."""
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        if column.null_count:
            rows = np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))
            raise SubmissionRejected(_blank_message(rows, name, namer))
        values = column.to_numpy().astype(np.float64, copy=False)
    else:
        values = _numbers_from_text(column.combine_chunks(), name, namer)
    # Two reductions vouch for the usual file: NaN and infinities show in the minimum or the maximum.
    smallest, largest = (float(values.min()), float(values.max())) if len(values) else (0.0, 0.0)
    if (
        np.isfinite(smallest)
        and np.isfinite(largest)
        and (low is None or (smallest > low if low_exclusive else smallest >= low))
        and (high is None or largest <= high)
    ):
        return values
    finite = np.isfinite(values)
    if not finite.all():
        rows = np.flatnonzero(~finite)
        raise SubmissionRejected(
            f"{plural(len(rows), 'value')} in {name} {'is' if len(rows) == 1 else 'are'} not finite: "
            f"{namer.describe(rows, values[rows[:_SHOWN]].tolist())}. Write a finite {what}."
        )
    outside = np.zeros(len(values), dtype=bool)
    if low is not None:
        outside |= values <= low if low_exclusive else values < low
    if high is not None:
        outside |= values > high
    if outside.any():
        rows = np.flatnonzero(outside)
        interval = _interval(low, high, low_exclusive)
        raise SubmissionRejected(
            f"{plural(len(rows), 'value')} in {name} {'is' if len(rows) == 1 else 'are'} outside {interval}: "
            f"{namer.describe(rows, values[rows[:_SHOWN]].tolist())}. Each must be a {what} in {interval}."
        )
    return values


def _interval(low: float | None, high: float | None, low_exclusive: bool) -> str:
    opening = "(" if low_exclusive or low is None else "["
    closing = ")" if high is None else "]"
    return f"{opening}{'-∞' if low is None else f'{low:g}'}, {'∞' if high is None else f'{high:g}'}{closing}"


def _numbers_from_text(texts: pa.Array, name: str, namer: RowNamer) -> np.ndarray:
    trimmed = pc.utf8_trim_whitespace(texts)
    lowered = pc.utf8_lower(trimmed)
    blank = pc.is_in(lowered, value_set=pa.array(sorted(MISSING_LABEL_TEXTS))).to_numpy(zero_copy_only=False)
    if blank.any():
        raise SubmissionRejected(_blank_message(np.flatnonzero(blank), name, namer))
    numeric = pc.match_substring_regex(trimmed, _NUMBER_PATTERN).to_numpy(zero_copy_only=False)
    numeric |= pc.is_in(
        lowered, value_set=pa.array(["inf", "+inf", "-inf", "infinity", "-infinity"])
    ).to_numpy(zero_copy_only=False)
    if not numeric.all():
        rows = np.flatnonzero(~numeric)
        shown = trimmed.take(pa.array(rows[:_SHOWN])).to_pylist()
        raise SubmissionRejected(
            f"{plural(len(rows), 'value')} in {name} {'is' if len(rows) == 1 else 'are'} not a number: "
            f"{namer.describe(rows, shown)}. Write plain numbers, with a point for decimals (0.75)."
        )
    return pc.cast(trimmed, pa.float64()).to_numpy(zero_copy_only=False)


def read_probability_rows(table: pa.Table, columns: tuple[str, ...], namer: RowNamer) -> np.ndarray:
    """An (n, labels) matrix of probabilities; each row must sum to 1 within ROW_SUM_TOLERANCE.

    Column-major: each column is read and written in one contiguous piece, and the per-label metrics
    (one-vs-rest AUC) read it column by column.
    """
    matrix = np.empty((table.num_rows, len(columns)), dtype=np.float64, order="F")
    for position, name in enumerate(columns):
        matrix[:, position] = read_numbers(
            table.column(name), name, namer, low=0.0, high=1.0, what="probability"
        )
    sums = matrix.sum(axis=1)
    off = np.abs(sums - 1) > ROW_SUM_TOLERANCE
    if off.any():
        rows = np.flatnonzero(off)
        raise SubmissionRejected(
            f"{plural(len(rows), 'row')} of probabilities {'does' if len(rows) == 1 else 'do'} not sum to 1 "
            f"(within {ROW_SUM_TOLERANCE:g}): {namer.describe(rows, sums[rows[:_SHOWN]].round(6).tolist())}. "
            "Each row needs one probability per label, summing to 1."
        )
    matrix /= sums[:, None]
    return matrix


def read_ranked_lists(
    column: pa.ChunkedArray, name: str, vocabulary: Vocabulary, namer: RowNamer
) -> np.ndarray:
    """A tuple of items per row, from space-separated text; an empty cell is an empty prediction."""
    texts = column.cast(pa.string()).to_pylist()
    lists = np.empty(len(texts), dtype=object)
    for row, text in enumerate(texts):
        lists[row] = tuple(text.split())
    if vocabulary.closed:
        allowed = set(vocabulary.labels)
        rows = np.array(
            [row for row, items in enumerate(lists) if not allowed.issuperset(items)], dtype=np.intp
        )
        if len(rows):
            bad = [next(item for item in lists[row] if item not in allowed) for row in rows[:_SHOWN]]
            raise SubmissionRejected(
                f"{plural(len(rows), 'row')} in {name} name an item that is not allowed: "
                f"{namer.describe(rows, bad)}. Allowed items: {first_few(vocabulary.labels, 20)}."
            )
    return lists


MISSING_GUESS = -2  # fewer guesses than K
UNKNOWN_ITEM = -3  # an item that no row of the solution holds: never relevant
# Python's str.split() also splits at the ASCII separators 0x1c-0x1f, which ascii_split_whitespace does not.
_PYTHON_ONLY_WHITESPACE = (0x1C, 0x1F)
_SPACE = 0x20


@dataclass(frozen=True)
class _Guesses:
    """Every row's guesses, one string each, in row order."""

    texts: pa.StringArray
    firsts: np.ndarray  # row r's guesses are texts[firsts[r] : firsts[r + 1]]
    spaced: bool  # a guess may end in the space after it ("item "), which names the same item


def read_ranked_codes(
    column: pa.ChunkedArray, name: str, vocabulary: Vocabulary, namer: RowNamer, items: pa.Array, k: int
) -> np.ndarray:
    """The first ``k`` guesses of each row as codes of the solution's ``items``: an (n, k) matrix of code_dtype.

    Split as ``str.split()`` splits: the usual file, printable ASCII with one space between guesses, on its
    bytes with NumPy (_single_spaced), in slices of rows spread over the cores; other ASCII by pyarrow's
    whitespace split; anything else by read_ranked_lists, a Python loop, which also words a refusal.
    """
    texts = column.cast(pa.string()).combine_chunks()
    lookup = _Lookup(items, vocabulary, spaced=True)
    parts = THREADS if len(texts) >= _ROWS_WORTH_A_THREAD * THREADS else 1
    bounds = np.linspace(0, len(texts), parts + 1).astype(int)
    with ThreadPoolExecutor(parts, thread_name_prefix="scoring") as pool:
        matrices = list(
            pool.map(
                lambda rows: _usual_matrix(texts.slice(rows[0], rows[1] - rows[0]), lookup, k),
                zip(bounds[:-1], bounds[1:], strict=True),
            )
        )
    if all(matrix is not None for matrix in matrices):
        return matrices[0] if parts == 1 else np.concatenate(matrices)
    body, _ = _text_bytes(texts)
    if not _splits_like_python(body):
        return _codes_of_lists(read_ranked_lists(column, name, vocabulary, namer), items, k)
    guesses = _split_at_whitespace(texts)
    lookup = _Lookup(items, vocabulary, spaced=False)
    if not lookup.allows(guesses):
        read_ranked_lists(column, name, vocabulary, namer)  # raises, naming the rows
        raise AssertionError("read_ranked_lists accepted items that is_in refused")
    return _guess_matrix(lookup.codes(guesses), guesses.firsts, k)


_ROWS_WORTH_A_THREAD = 50_000


class _Lookup:
    """Guessed strings to item codes, and the check of a closed vocabulary, made once per file."""

    def __init__(self, items: pa.Array, vocabulary: Vocabulary, *, spaced: bool) -> None:
        names = items.to_pylist()
        self.value_set = pa.array(_also_spaced(names, spaced), type=pa.string())
        # Positions in value_set to codes of the smallest type: "item " (at code + len(items)) back to the
        # item's code, a miss (the table's last place) to UNKNOWN_ITEM.
        codes = np.arange(len(names), dtype=code_dtype(len(names)))
        table = [codes, codes, [UNKNOWN_ITEM]] if spaced else [codes, [UNKNOWN_ITEM]]
        self.table = np.concatenate(table).astype(codes.dtype)
        self.allowed = None
        if vocabulary.closed:
            self.allowed = pa.array(_also_spaced(list(vocabulary.labels), spaced), type=pa.string())

    def allows(self, guesses: _Guesses) -> bool:
        return self.allowed is None or pc.all(pc.is_in(guesses.texts, value_set=self.allowed)).as_py()

    def codes(self, guesses: _Guesses) -> np.ndarray:
        """Each guess's code, UNKNOWN_ITEM for a string no item is; one hash lookup per guess, by pyarrow."""
        found = pc.index_in(guesses.texts, value_set=self.value_set)
        return self.table[found.fill_null(len(self.table) - 1).to_numpy(zero_copy_only=False)]


def _usual_matrix(texts: pa.StringArray, lookup: _Lookup, k: int) -> np.ndarray | None:
    """read_ranked_codes of the usual file's rows; None when they are not that (or name a refused item)."""
    body, offsets = _text_bytes(texts)
    guesses = _single_spaced(texts, body, offsets)
    if guesses is None or not lookup.allows(guesses):
        return None
    return _guess_matrix(lookup.codes(guesses), guesses.firsts, k)


def _text_bytes(texts: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """The bytes of all rows' texts, back to back, and where each row starts in them (one more at the end)."""
    _, offset_buffer, data = texts.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int32)[texts.offset : texts.offset + len(texts) + 1]
    if data is None or len(texts) == 0 or offsets[-1] == offsets[0]:
        return np.empty(0, dtype=np.uint8), np.zeros(len(texts) + 1, dtype=np.int32)
    return np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]], offsets - offsets[0]


def _single_spaced(texts: pa.StringArray, body: np.ndarray, offsets: np.ndarray) -> _Guesses | None:
    """The guesses as strings over the text's own bytes, if every row is printable ASCII with one space
    between guesses and none around them; else None.

    Then a guess starts at each row's start and after each space, and the guesses need no copy: each is a
    string from its start to the next one's, so that all but a row's last end in their space (and are
    looked up as "item " too). A handful of NumPy passes over the bytes, where pyarrow's split builds a
    list array string by string and costs as much as reading the file.
    """
    if len(body) == 0 or texts.null_count or body.min() < _SPACE or body.max() >= 0x80:
        return None
    space = body == _SPACE
    row_starts, row_ends = offsets[:-1], offsets[1:]
    filled = row_starts < row_ends
    if space[row_starts[filled]].any() or space[row_ends[filled] - 1].any() or (space[1:] & space[:-1]).any():
        return None
    begins = np.empty(len(body), dtype=bool)
    begins[0] = True
    begins[1:] = space[:-1]
    begins[row_starts[filled]] = True
    starts = np.flatnonzero(begins)
    string_offsets = np.empty(len(starts) + 1, dtype=np.int32)
    string_offsets[:-1] = starts
    string_offsets[-1] = len(body)
    first_byte = np.frombuffer(texts.buffers()[1], dtype=np.int32)[texts.offset]
    string_offsets += first_byte
    strings = pa.StringArray.from_buffers(len(starts), pa.py_buffer(string_offsets), texts.buffers()[2])
    return _Guesses(strings, _firsts(starts, offsets), spaced=True)


def _firsts(starts: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Each row's first guess, from where the guesses and the rows start in the text."""
    rows = len(offsets) - 1
    per_row = len(starts) // rows
    # The usual file gives every row the same number of guesses: then every per_row-th guess starts a row.
    if per_row and per_row * rows == len(starts) and np.array_equal(starts[::per_row], offsets[:-1]):
        return np.arange(0, len(starts) + 1, per_row, dtype=np.int64)
    return np.searchsorted(starts, offsets)


def _split_at_whitespace(texts: pa.StringArray) -> _Guesses:
    """Guesses split by pyarrow at ASCII whitespace, for ASCII text without the separators only Python knows."""
    trimmed = pc.ascii_trim_whitespace(texts)
    split = pc.ascii_split_whitespace(trimmed)
    guesses = pc.list_flatten(split)
    firsts = split.offsets.to_numpy().astype(np.int64)
    empty = pc.equal(trimmed, "").to_numpy(zero_copy_only=False)
    if empty.any():  # an empty cell splits into one empty string, which is no guess: dropped
        guesses = guesses.filter(pc.not_equal(guesses, ""))
        firsts[1:] -= np.cumsum(empty)
    return _Guesses(guesses, firsts, spaced=False)


def _also_spaced(names: list[str], spaced: bool) -> list[str]:
    return names + [f"{name} " for name in names] if spaced else names


def _guess_matrix(codes: np.ndarray, firsts: np.ndarray, k: int) -> np.ndarray:
    """The (rows, k) matrix of each row's first k codes, padded with MISSING_GUESS."""
    rows = len(firsts) - 1
    lengths = np.diff(firsts)
    per_row = int(lengths[0]) if rows else 0
    if per_row >= k and (lengths == per_row).all():  # the usual file: the codes are the matrix already
        return codes.reshape(rows, per_row)[:, :k]
    matrix = np.full((rows, k), MISSING_GUESS, dtype=codes.dtype)
    row_firsts = firsts[:-1]
    for rank in range(min(k, int(lengths.max(initial=0)))):
        has = lengths > rank
        matrix[has, rank] = codes[row_firsts[has] + rank]
    return matrix


def _splits_like_python(body: np.ndarray) -> bool:
    """Whether pyarrow's ASCII whitespace split gives what str.split() does: ASCII without 0x1c-0x1f."""
    if len(body) == 0:
        return True
    low, high = _PYTHON_ONLY_WHITESPACE
    return int(body.max()) < 0x80 and not ((body - np.uint8(low)) <= high - low).any()


def _codes_of_lists(lists: np.ndarray, items: pa.Array, k: int) -> np.ndarray:
    code_of = {item: code for code, item in enumerate(items.to_pylist())}
    matrix = np.full((len(lists), k), MISSING_GUESS, dtype=code_dtype(len(code_of)))
    for row, guesses in enumerate(lists):
        for rank, item in enumerate(guesses[:k]):
            matrix[row, rank] = code_of.get(item, UNKNOWN_ITEM)
    return matrix
