"""Putting a submission's values in the solution's row order, with ids compared as trimmed strings.

Three paths, cheapest first. Ids exactly in the solution's order (learners often keep test.csv's order) are
confirmed by one string comparison. When the solution's ids are numbered (1043, img_000123.png; see
numbering.py), a shuffled file's numbers are parsed as int64 and found by arithmetic (numbers 1..N), a lookup
table (dense numbers) or a hash index (sparse ones), in worker threads. Anything those paths cannot vouch for
(spaces, leading zeros, words, missing or repeated ids) goes through an exact string comparison, which also
words the error message.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workers.scoring.errors import SubmissionRejected, agree, count, first_few, plural
from workers.scoring.numbering import Numbering
from workers.scoring.parallel import THREADS

# A lookup table is used when it wastes at most this many slots per id; past that, a hash index.
DENSE_TABLE_SLACK = 4
_SHOWN = 5


class IdIndex:
    """The ids of one solution column: finds each submitted row's solution row and reorders values to match."""

    def __init__(self, column: str, ids: pa.Array, part_rows: np.ndarray) -> None:
        self.column = column
        self.text_ids = ids  # trimmed, in solution file order, unique
        self.part_rows = part_rows  # the solution's file rows in part order (Public rows first)
        self.row_count = len(ids)
        self._parts_in_file_order = bool(np.array_equal(part_rows, np.arange(self.row_count)))
        self._table: np.ndarray | None = None  # number - lowest -> file row (-1: no such id)
        self._hash_index: pd.Index | None = None
        detected = Numbering.detect(ids)
        self.numbering, self.numbers = detected if detected else (None, None)
        if self.numbers is None:
            return
        self._lowest = int(self.numbers.min())
        span = int(self.numbers.max()) - self._lowest + 1
        self._span = span
        if span == self.row_count and np.array_equal(np.diff(self.numbers), np.ones(span - 1)):
            pass  # numbered 1..N in file order, the usual case: the file row is the number minus the lowest
        elif span <= DENSE_TABLE_SLACK * self.row_count + 1024:
            self._table = np.full(span, -1, dtype=np.intp)
            self._table[self.numbers - self._lowest] = np.arange(self.row_count)
        else:
            self._hash_index = pd.Index(self.numbers)
            self._hash_index.get_indexer(self.numbers[:1])  # build the hash table now, not per submission

    def arrange(
        self, submitted: pa.ChunkedArray, values: np.ndarray, id_column: str, test_file_name: str
    ) -> np.ndarray:
        """``values`` (one per submitted row) reordered into the solution's part order.

        Raises SubmissionRejected unless the submitted ids are, as trimmed strings, exactly the solution's ids,
        each once.
        """
        same_count = len(submitted) == self.row_count
        if same_count and self._in_file_order(submitted):
            file_rows = None
        else:
            file_rows = self._numbered_file_rows(submitted) if same_count else None
            if file_rows is None:
                file_rows = self._text_file_rows(submitted, id_column, test_file_name)
        if values.ndim == 2:
            return self._arrange_rows(values, file_rows)
        if file_rows is None:  # already in the solution's file order
            in_file_order = values
        else:
            in_file_order = _scatter(values, file_rows)
            if in_file_order is None:  # some row was hit twice, so another was missed
                self._text_file_rows(submitted, id_column, test_file_name)
                raise AssertionError("the string comparison accepted ids the integer path found repeated")
        return in_file_order if self._parts_in_file_order else in_file_order[self.part_rows]

    def _arrange_rows(self, values: np.ndarray, file_rows: np.ndarray | None) -> np.ndarray:
        """A matrix (probabilities per label) in part order, in one gather of its rows, column by column.

        A matrix row is a few dozen bytes, so instead of scattering rows and gathering them again, the
        submitted row of each part position is worked out on integers first. Gathering each column apart
        keeps a column-major matrix column-major, which the per-label metrics read column by column.
        """
        if file_rows is None:
            source_rows = None if self._parts_in_file_order else self.part_rows
        else:
            submitted_row = _scatter(np.arange(len(file_rows)), file_rows)
            if submitted_row is None:  # some row was hit twice, so another was missed
                raise AssertionError("the string comparison accepted ids the integer path found repeated")
            source_rows = submitted_row if self._parts_in_file_order else submitted_row[self.part_rows]
        if source_rows is None:
            return values
        arranged = np.empty((len(source_rows), values.shape[1]), dtype=values.dtype, order="F")
        for column in range(values.shape[1]):  # 1-D takes: faster than one take along an axis
            np.take(values[:, column], source_rows, out=arranged[:, column])
        return arranged

    def _in_file_order(self, submitted: pa.ChunkedArray) -> bool:
        """Whether the ids are exactly the solution's, in its order: learners often keep test.csv's order.

        Comparing strings costs less than parsing them as numbers, and a shuffled file fails on its first id.
        """
        start = 0
        for chunk in submitted.chunks:
            expected = self.text_ids.slice(start, len(chunk))
            if len(chunk) and chunk[0] != expected[0]:
                return False
            if not pc.all(pc.equal(chunk, expected)).as_py():
                return False
            start += len(chunk)
        return True

    def _numbered_file_rows(self, submitted: pa.ChunkedArray) -> np.ndarray | None:
        """File rows found through the ids' numbers, or None when the string path must decide.

        Repeated ids are not detected here: the scatter that follows finds them for free.
        """
        if self.numbering is None:
            return None
        file_rows = np.empty(self.row_count, dtype=np.intp)
        starts = np.cumsum([0] + [len(chunk) for chunk in submitted.chunks[:-1]])
        with ThreadPoolExecutor(THREADS, thread_name_prefix="scoring") as pool:
            written = list(
                pool.map(
                    lambda job: self._chunk_file_rows(*job, file_rows),
                    zip(submitted.chunks, starts.tolist(), strict=True),
                )
            )
        if None in written or not self.numbering.exact(sum(written)):
            return None
        return file_rows

    def _chunk_file_rows(self, chunk: pa.Array, start: int, file_rows: np.ndarray) -> int | None:
        """Fill file_rows for one parsed chunk; the bytes its numbers take, or None if unsure."""
        assert self.numbering is not None and self.numbers is not None
        found = self.numbering.numbers(chunk)
        if found is None:
            return None
        numbers, written_bytes = found
        end = start + len(numbers)
        out = file_rows[start:end]
        if np.array_equal(numbers, self.numbers[start:end]):
            out[:] = np.arange(start, end)  # this part of the file kept test.csv's order
            return written_bytes
        np.subtract(numbers, self._lowest, out=out)
        if np.count_nonzero(out.view(np.uint64) >= self._span):
            return None
        if self._table is not None:
            np.take(self._table, out, out=out)
            if out.min(initial=0) < 0:  # a hole in the table: a number between the solution's
                return None
        elif self._hash_index is not None:
            out[:] = self._hash_index.get_indexer(numbers)
            if out.min(initial=0) < 0:
                return None
        return written_bytes

    def _text_file_rows(
        self, submitted: pa.ChunkedArray, id_column: str, test_file_name: str
    ) -> np.ndarray | None:
        """File rows by exact comparison of trimmed strings (None: in file order), or SubmissionRejected."""
        ids = pc.utf8_trim_whitespace(submitted.combine_chunks())
        if len(ids) == self.row_count and ids.equals(self.text_ids):
            return None
        file_rows = pc.index_in(ids, value_set=self.text_ids).fill_null(-1).to_numpy()
        known = file_rows >= 0
        counts = np.bincount(file_rows[known], minlength=self.row_count)
        if len(ids) == self.row_count and known.all() and (counts == 1).all():
            return file_rows.astype(np.intp)
        raise SubmissionRejected(self._mismatch(ids, file_rows, counts, id_column, test_file_name))

    def _mismatch(
        self, ids: pa.Array, file_rows: np.ndarray, counts: np.ndarray, id_column: str, test_file_name: str
    ) -> str:
        problems = []
        blank_rows = np.flatnonzero(pc.equal(ids, "").to_numpy(zero_copy_only=False))
        if len(blank_rows):
            rows = ", ".join(count(row + 1) for row in blank_rows[:_SHOWN])
            blank = len(blank_rows)
            problems.append(
                f"{plural(blank, 'row')} {agree(blank, 'has', 'have')} no {id_column} (rows {rows})."
            )
        unknown_rows = np.flatnonzero(file_rows < 0)
        unknown_rows = unknown_rows[~np.isin(unknown_rows, blank_rows)]
        if len(unknown_rows):
            shown = ids.take(pa.array(unknown_rows[:_SHOWN])).to_pylist()
            unknown = len(unknown_rows)
            problems.append(
                f"{plural(unknown, 'id')} {agree(unknown, 'is', 'are')} not in {test_file_name} "
                f"(first: {first_few(shown)})."
            )
        repeated = np.flatnonzero(counts > 1)
        if len(repeated):
            # Name duplicates in the order the learner wrote them: the first rows that repeat an earlier id.
            seen_rows = file_rows[file_rows >= 0]
            _, first_seen = np.unique(seen_rows, return_index=True)
            is_repeat = np.ones(len(seen_rows), dtype=bool)
            is_repeat[first_seen] = False
            repeats_in_order = pd.unique(seen_rows[is_repeat])[:_SHOWN]
            shown = self.text_ids.take(pa.array(repeats_in_order)).to_pylist()
            problems.append(
                f"{plural(len(repeated), 'id')} {agree(len(repeated), 'appears', 'appear')} more than once "
                f"(first: {first_few(shown)})."
            )
        missing = np.flatnonzero(counts == 0)
        if len(missing):
            shown = self.text_ids.take(pa.array(missing[:_SHOWN])).to_pylist()
            problems.append(
                f"Missing {count(len(missing))} of {count(self.row_count)} ids (first: {first_few(shown)})."
            )
        if not problems:  # unreachable while the checks mirror arrange(); keeps the message non-empty
            problems.append(f"The {id_column} column does not match {test_file_name}.")
        problems.append(f"Every id in {test_file_name} must appear exactly once.")
        return " ".join(problems)


def _scatter(values: np.ndarray, file_rows: np.ndarray) -> np.ndarray | None:
    """values placed at file_rows, or None if some row received no value (so another received two).

    Each row starts as a value no valid prediction holds: -1 for label codes, NaN for numbers (they are
    checked finite), None for lists. Checking for it afterwards is one pass over the result, cheaper than
    counting hits per row.
    """
    if values.dtype == object:
        arranged = np.full(values.shape, None, dtype=object)
    elif values.dtype.kind == "f":
        arranged = np.full(values.shape, np.nan)
    else:
        arranged = np.full(values.shape, -1, dtype=values.dtype)
    arranged[file_rows] = values
    first_column = arranged if arranged.ndim == 1 else arranged[:, 0]
    if values.dtype == object:
        missed = any(value is None for value in first_column)
    elif values.dtype.kind == "f":
        missed = bool(np.isnan(first_column).any())
    else:
        missed = bool((first_column < 0).any())
    return None if missed else arranged
