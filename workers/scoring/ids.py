"""Finding the solution row of every submitted id, fast, with ids compared as trimmed strings.

Most challenges number their rows, so when every solution id is a canonical decimal integer the index keeps
them as int64 and a submission's ids are matched through integer arithmetic: a lookup table when the ids are
dense, a hash index otherwise. Any submission the fast path cannot vouch for (whitespace, leading zeros,
missing or repeated ids) goes through the exact string comparison, which also words the error message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workers.scoring.errors import SubmissionRejected, agree, count, first_few, plural
from workers.scoring.parallel import map_in_threads

# A lookup table is used when it wastes at most this many slots per id; past that, a hash index.
DENSE_TABLE_SLACK = 4
_SHOWN = 5


class IdIndex:
    """The ids of one solution column, and where each lands in the solution's part order."""

    def __init__(self, column: str, ids: pa.Array, part_position: np.ndarray) -> None:
        self.column = column
        self.text_ids = ids  # trimmed, in solution file order, unique
        self.part_position = part_position  # solution file row -> row in part order (Public rows first)
        self.row_count = len(ids)
        self.integer_ids = _canonical_integers(ids)
        self._table: np.ndarray | None = None
        self._hash_index: pd.Index | None = None
        if self.integer_ids is not None and self.row_count:
            self._lowest = int(self.integer_ids.min())
            span = int(self.integer_ids.max()) - self._lowest + 1
            if span <= DENSE_TABLE_SLACK * self.row_count + 1024:
                self._table = np.full(span, -1, dtype=np.intp)
                self._table[self.integer_ids - self._lowest] = part_position
            else:
                self._hash_index = pd.Index(self.integer_ids)
                self._hash_index.get_indexer(
                    self.integer_ids[:1]
                )  # builds the hash table now, not per submission
            # The byte length all ids take when written canonically; see _integer_positions.
            self._canonical_bytes = int(pc.sum(pc.binary_length(ids)).as_py() or 0)

    def align(self, submitted: pa.ChunkedArray, id_column: str, test_file_name: str) -> np.ndarray:
        """The part-order row of each submitted row; raises unless every id appears exactly once."""
        if len(submitted) == self.row_count and self.integer_ids is not None:
            positions = self._integer_positions(submitted)
            if positions is not None:
                return positions
        return self._text_positions(submitted, id_column, test_file_name)

    def _integer_positions(self, submitted: pa.ChunkedArray) -> np.ndarray | None:
        """Positions if the ids are, as strings, a permutation of the solution's; None if unsure."""
        written_bytes = 0
        for chunk in submitted.chunks:
            # pyarrow also parses hexadecimal ("0x1F"), which is not how the solution writes its ids.
            raw = np.frombuffer(chunk.buffers()[2] or b"", dtype=np.uint8)
            if np.count_nonzero(raw == ord("x")) or np.count_nonzero(raw == ord("X")):
                return None
            written_bytes += pc.sum(pc.binary_length(chunk)).as_py() or 0
        # Every other form pyarrow accepts for a number ("007", "-0") is longer than the canonical one, so
        # once the numbers are a permutation, equal total length means every id is written exactly.
        if written_bytes != self._canonical_bytes:
            return None
        positions = np.empty(self.row_count, dtype=np.intp)
        seen = np.zeros(self.row_count, dtype=bool)
        starts = np.cumsum([0] + [len(chunk) for chunk in submitted.chunks[:-1]])
        outcomes = map_in_threads(
            lambda job: self._chunk_positions(*job, positions, seen),
            list(zip(submitted.chunks, starts.tolist(), strict=True)),
        )
        if "unknown" in outcomes:
            return None
        # As many ids as solution rows, each found: they are a permutation exactly when every row was hit.
        return positions if seen.all() else None

    def _chunk_positions(self, chunk: pa.Array, start: int, positions: np.ndarray, seen: np.ndarray) -> str:
        """Fill positions[start:start + len(chunk)] and mark them seen: 'found', or 'unknown' if unsure.

        Threads share ``seen``; they only ever set bytes to True, so their writes cannot conflict.
        """
        assert self.integer_ids is not None
        try:
            values = pc.cast(chunk, pa.int64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return "unknown"  # spaces, decimals, words: the string path decides
        end = start + len(values)
        out = positions[start:end]
        # Learners often keep test.csv's order; then the positions are a copy, not a lookup.
        if np.array_equal(values, self.integer_ids[start:end]):
            out[:] = self.part_position[start:end]
            seen[out] = True
            return "found"
        if self._table is not None:
            offsets = values - self._lowest
            if np.count_nonzero(offsets.view(np.uint64) >= len(self._table)):
                return "unknown"
            np.take(self._table, offsets, out=out)
            if out.min(initial=0) < 0:  # a hole in the lookup table
                return "unknown"
        else:
            assert self._hash_index is not None
            file_rows = self._hash_index.get_indexer(values)
            if file_rows.min(initial=0) < 0:
                return "unknown"
            np.take(self.part_position, file_rows, out=out)
        seen[out] = True
        return "found"

    def _text_positions(self, submitted: pa.ChunkedArray, id_column: str, test_file_name: str) -> np.ndarray:
        ids = pc.utf8_trim_whitespace(submitted.combine_chunks())
        if len(ids) == self.row_count and ids.equals(self.text_ids):
            return self.part_position
        file_rows = pc.index_in(ids, value_set=self.text_ids).fill_null(-1).to_numpy()
        known = file_rows >= 0
        counts = np.bincount(file_rows[known], minlength=self.row_count)
        if len(ids) == self.row_count and known.all() and (counts == 1).all():
            return self.part_position[file_rows]
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
        if (
            not problems
        ):  # unreachable while the checks above mirror align(); kept so the message is never empty
            problems.append(f"The {id_column} column does not match {test_file_name}.")
        problems.append(f"Every id in {test_file_name} must appear exactly once.")
        return " ".join(problems)


def _canonical_integers(ids: pa.Array) -> np.ndarray | None:
    """The ids as int64 if each is written exactly as Python's str(int) writes it (and fits), else None."""
    if len(ids) == 0 or not pc.all(pc.match_substring_regex(ids, r"^(0|-?[1-9][0-9]{0,17})$")).as_py():
        return None
    return pc.cast(ids, pa.int64()).to_numpy()
