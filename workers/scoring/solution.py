"""The host's solution: parsed and checked once, then kept per worker process for every submission.

A Solution holds what makes scoring a submission cheap: an id index per accepted layout, the truth encoded
as small integers (or floats), and the rows reordered so the Public part comes first. Scoring a part is then
slicing, not masking.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workers.scoring.archives import read_upload
from workers.scoring.errors import SolutionError, SubmissionRejected, agree, count, first_few, plural
from workers.scoring.header import Layout, read_header
from workers.scoring.ids import IdIndex
from workers.scoring.metrics import METRICS, Metric
from workers.scoring.predictions import Vocabulary, code_dtype
from workers.scoring.reading import read_rows
from workers.scoring.spec import ScoringSpec

CACHE_SIZE = 8  # solutions kept per process; a worker serves a handful of challenges at a time
SOLUTION_MAX_BYTES = 8 * 1024**3
_SHOWN = 5


@dataclass(eq=False)
class Solution:
    spec: ScoringSpec  # as given by ScoringSpec.solution_key()
    sha256: str
    row_count: int
    public_count: int
    layouts: tuple[Layout, ...]
    indexes: dict[str, IdIndex]  # by solution id column
    truth: np.ndarray  # in part order: Public rows first
    vocabulary: Vocabulary
    positive_code: int | None
    items: pa.Array | None = None  # MAP@K: the distinct relevant items, truth holding their codes

    @property
    def private_count(self) -> int:
        return self.row_count - self.public_count

    def ids(self, column: str | None = None) -> list[str]:
        """The solution's ids in its file order, for importers comparing them with other files."""
        return self.indexes[column or self.spec.solution_id_column].text_ids.to_pylist()


def load_solution(path: str | os.PathLike[str], spec: ScoringSpec, *, sha256: str | None = None) -> Solution:
    """The parsed solution, from this process's cache when the same file and spec were loaded before.

    Pass ``sha256`` when it is already known (the importer stores it): a cached solution is then found without
    reading the file, and a file parsed anew must have that checksum. A file that is missing, unreadable or not
    the recorded one raises SolutionError, a host-side error, as an invalid one does.
    """
    if sha256 is None:
        return _cached(_SolutionKey(_readable_sha256(path), spec.solution_key(), path, checked=True))
    return _cached(_SolutionKey(sha256, spec.solution_key(), path, checked=False))


@dataclass(frozen=True)
class _SolutionKey:
    """A solution is the same for the same bytes and the same spec: where the file lies is not part of the key."""

    sha256: str
    spec: ScoringSpec
    path: str | os.PathLike[str] = field(compare=False)
    # Whether sha256 was computed from the file; if not, a file parsed anew is checked against it.
    checked: bool = field(compare=False)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _cached(key: _SolutionKey) -> Solution:
    if not key.checked:
        digest = _readable_sha256(key.path)
        if digest != key.sha256:
            raise SolutionError(
                f"The hidden solution file {os.fspath(key.path)} has sha256 {digest}, not the {key.sha256} "
                "recorded at import: it was changed or damaged in storage."
            )
    return _parse(key.path, key.spec, key.sha256)


def _readable_sha256(path: str | os.PathLike[str]) -> str:
    try:
        return file_sha256(path)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as error:
        raise SolutionError(
            f"The hidden solution file {os.fspath(path)} cannot be read: {error.strerror or error}."
        ) from error


def validate_solution(
    solution_path: str | os.PathLike[str], spec: ScoringSpec, *, test_ids: Sequence[str] | None = None
) -> Solution:
    """Parse and check a solution for an importer; with ``test_ids``, also check they are the solution's ids.

    The test ids are compared with the spec's ``solution_id_column``, the column test.csv shares.
    """
    solution = _parse(solution_path, spec, file_sha256(solution_path))
    if test_ids is not None:
        _compare_with_test_ids(solution, spec, test_ids)
    return solution


def file_sha256(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_spec(spec: ScoringSpec) -> list[Metric]:
    """The spec's metrics, main first, or SolutionError naming what the spec gets wrong."""
    keys = [spec.metric, *spec.extra_metrics]
    unknown = [key for key in keys if key not in METRICS]
    if unknown:
        raise SolutionError(
            f"Unknown metric {first_few(unknown)}. Known metrics: {', '.join(sorted(METRICS))}."
        )
    metrics = [METRICS[key] for key in keys]
    main = metrics[0]
    for extra in metrics[1:]:
        if extra.reads != main.reads and not (extra.reads == "label" and main.reads == "label_probabilities"):
            raise SolutionError(
                f"The extra metric {extra.key} reads {extra.reads} predictions, {main.key} {main.reads}; "
                "extra metrics must score the same submission columns."
            )
    if not spec.formats:
        raise SolutionError("The spec lists no submission format.")
    if any(metric.needs_positive_label for metric in metrics) and not spec.positive_label:
        raise SolutionError(
            f"{', '.join(m.key for m in metrics if m.needs_positive_label)} needs a positive label."
        )
    if main.needs_k and (spec.k is None or spec.k < 1):
        raise SolutionError(f"{main.key} needs k, a whole number of 1 or more.")
    return metrics


def _parse(path: str | os.PathLike[str], spec: ScoringSpec, digest: str) -> Solution:
    metrics = check_spec(spec)
    main = metrics[0]
    table = _read_table(path, spec)
    usage = table.column(spec.usage_column) if spec.usage_column in table.column_names else None
    public = _public_mask(usage, table.num_rows)
    order = np.concatenate([np.flatnonzero(public), np.flatnonzero(~public)])
    vocabulary = _vocabulary(spec, table, closed=any(metric.ordinal for metric in metrics))
    items = None
    if main.reads == "ranked_labels":
        truth, items = _relevant_codes(table.column(spec.solution_target_column))
        truth = truth[order]
    else:
        truth = _truth(main, spec, table.column(spec.solution_target_column), vocabulary)[order]
    positive_code = _positive_code(spec, main, vocabulary)
    if main.reads == "positive_probability":
        truth = (truth == positive_code).astype(np.int8)
    layouts = _layouts(spec, main, vocabulary)
    solution = Solution(
        spec=spec.solution_key(),
        sha256=digest,
        row_count=table.num_rows,
        public_count=int(public.sum()),
        layouts=layouts,
        indexes={},
        truth=truth,
        vocabulary=vocabulary,
        positive_code=positive_code,
        items=items,
    )
    _check_parts(solution, metrics)
    # The spec's own id column too: it is the one test.csv shares, which importers compare.
    for column in dict.fromkeys(
        [spec.solution_id_column, *(layout.solution_id_column for layout in layouts)]
    ):
        solution.indexes[column] = IdIndex(column, _unique_ids(table.column(column), column), order)
    return solution


def _positive_code(spec: ScoringSpec, main: Metric, vocabulary: Vocabulary) -> int | None:
    if spec.positive_label is None or main.reads == "ranked_labels":
        return None
    positive = str(spec.positive_label).strip()  # a label given as 7 matches "7"
    if positive not in vocabulary.labels:
        raise SolutionError(
            f"The positive label {spec.positive_label!r} is not one of the labels ({first_few(vocabulary.labels)})."
        )
    return vocabulary.labels.index(positive)


def _read_table(path: str | os.PathLike[str], spec: ScoringSpec) -> pa.Table:
    try:
        data = read_upload(path, SOLUTION_MAX_BYTES)
        header = read_header(data)
        table = read_rows(data, header, {name: pa.string() for name in header.names})
    except SubmissionRejected as error:
        raise SolutionError(f"The solution file cannot be read: {error.message}") from None
    needed = [spec.solution_id_column, spec.solution_target_column]
    needed += [spec.solution_id_column_of(each) for each in spec.formats]
    missing = [name for name in dict.fromkeys(needed) if name not in table.column_names]
    if missing:
        raise SolutionError(
            f"The solution has no column {first_few(missing)}; "
            f"its columns are {first_few(table.column_names, 20)}."
        )
    return table


def _trimmed(column: pa.ChunkedArray) -> pa.Array:
    return pc.utf8_trim_whitespace(column.combine_chunks())


def _rows(mask: np.ndarray) -> str:
    """'row 4' or '12 rows (first: 4, 9, 11, 12, 30)', counting data rows from 1."""
    rows = np.flatnonzero(mask)
    if len(rows) == 1:
        return f"row {count(rows[0] + 1)}"
    return f"{plural(len(rows), 'row')} (first: {', '.join(count(row + 1) for row in rows[:_SHOWN])})"


def _public_mask(usage: pa.ChunkedArray | None, row_count: int) -> np.ndarray:
    if usage is None:
        return np.ones(row_count, dtype=bool)
    values = pc.utf8_lower(_trimmed(usage))
    public = pc.equal(values, "public").to_numpy(zero_copy_only=False)
    private = pc.equal(values, "private").to_numpy(zero_copy_only=False)
    neither = ~(public | private)
    if neither.any():
        shown = _trimmed(usage).take(pa.array(np.flatnonzero(neither)[:_SHOWN])).to_pylist()
        raise SolutionError(
            f"The Usage column must hold Public or Private, not {first_few(shown)} ({_rows(neither)})."
        )
    if not public.any():
        raise SolutionError("The solution has no Public rows; the public leaderboard needs some.")
    return public


def _vocabulary(spec: ScoringSpec, table: pa.Table, *, closed: bool) -> Vocabulary:
    if spec.allowed_labels:
        labels = tuple(dict.fromkeys(str(label).strip() for label in spec.allowed_labels))
        return Vocabulary(labels, closed=True)
    present = pc.unique(_trimmed(table.column(spec.solution_target_column))).to_pylist()
    try:
        labels = tuple(sorted(present, key=float))  # numeric labels in numeric order: "2" before "10"
    except ValueError:
        labels = tuple(sorted(present))
    return Vocabulary(labels, closed=closed)


def _truth(metric: Metric, spec: ScoringSpec, column: pa.ChunkedArray, vocabulary: Vocabulary) -> np.ndarray:
    texts = _trimmed(column)
    blank = pc.equal(texts, "").to_numpy(zero_copy_only=False)
    if blank.any():
        raise SolutionError(f"The solution has no {spec.solution_target_column} in {_rows(blank)}.")
    if metric.reads == "number":
        try:
            values = pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            raise SolutionError(
                f"The solution's {spec.solution_target_column} must hold numbers; some value in it is not one."
            ) from None
        bad = ~np.isfinite(values) | ((values <= -1) if metric.key == "rmsle" else False)
        if bad.any():
            raise SolutionError(f"The solution holds values {metric.key} cannot score in {_rows(bad)}.")
        return values
    known = pa.array(vocabulary.labels, type=pa.string())
    codes = pc.index_in(texts, value_set=known).fill_null(-1).to_numpy(zero_copy_only=False)
    unknown = codes < 0
    if unknown.any():
        shown = texts.take(pa.array(np.flatnonzero(unknown)[:_SHOWN])).to_pylist()
        raise SolutionError(
            f"The solution holds labels that are not allowed ({first_few(shown)}) in {_rows(unknown)}; "
            f"allowed: {first_few(vocabulary.labels, 20)}."
        )
    return codes.astype(np.int32)


def _relevant_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Each row's distinct relevant items (space-separated) as codes, padded with -1, and the items.

    A matrix, so that MAP@K compares whole columns instead of looping over rows in Python; done once per
    solution, so plain Python does it.
    """
    code_of: dict[str, int] = {}
    rows = [
        sorted({code_of.setdefault(item, len(code_of)) for item in text.split()})
        for text in _trimmed(column).to_pylist()
    ]
    lengths = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
    dtype = code_dtype(len(code_of))  # as read_ranked_codes gives the guesses, for cheap comparisons
    matrix = np.full((len(rows), max(1, int(lengths.max(initial=0)))), -1, dtype=dtype)
    codes = np.fromiter(itertools.chain.from_iterable(rows), dtype=dtype, count=int(lengths.sum()))
    row_of_code = np.repeat(np.arange(len(rows)), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    matrix[row_of_code, np.arange(len(codes)) - starts[row_of_code]] = codes
    return matrix, pa.array(list(code_of), type=pa.string())


def _layouts(spec: ScoringSpec, metric: Metric, vocabulary: Vocabulary) -> tuple[Layout, ...]:
    layouts = []
    for each in spec.formats:
        predictions = vocabulary.labels if metric.reads == "label_probabilities" else (each.target_column,)
        layout = Layout(each, each.id_column, tuple(predictions), spec.solution_id_column_of(each))
        clash = next((other for other in layouts if set(other.columns) == set(layout.columns)), None)
        if clash is not None and clash.solution_id_column != layout.solution_id_column:
            raise SolutionError(f"Two submission formats have the same columns ({','.join(layout.columns)}).")
        if clash is None:
            layouts.append(layout)
    return tuple(layouts)


def _unique_ids(column: pa.ChunkedArray, name: str) -> pa.Array:
    ids = _trimmed(column)
    blank = pc.equal(ids, "").to_numpy(zero_copy_only=False)
    if blank.any():
        raise SolutionError(f"The solution has no {name} in {_rows(blank)}.")
    counts = pc.value_counts(ids)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    if len(repeated):
        shown = repeated.field("values").to_pylist()[:_SHOWN]
        raise SolutionError(
            f"The solution's {name} column repeats {plural(len(repeated), 'id')} "
            f"(first: {first_few(shown)}); "
            "each id must appear once."
        )
    return ids


def _check_parts(solution: Solution, metrics: list[Metric]) -> None:
    parts = {
        "Public": solution.truth[: solution.public_count],
        "Private": solution.truth[solution.public_count :],
    }
    for metric in metrics:
        for part_name, truth in parts.items():
            if len(truth) == 0 or metric.truth_needs == "nothing":
                continue
            present = len(np.unique(truth))
            if metric.truth_needs == "two_labels" and present < 2:
                raise SolutionError(
                    f"{metric.name} needs two different labels or more in the {part_name} part; "
                    f"it has {present}."
                )
            if metric.truth_needs == "every_label" and present < len(solution.vocabulary.labels):
                raise SolutionError(
                    f"{metric.name} needs every label in the {part_name} part; it has {present} of "
                    f"{len(solution.vocabulary.labels)}."
                )


def _compare_with_test_ids(solution: Solution, spec: ScoringSpec, test_ids: Sequence[str]) -> None:
    expected = [str(value).strip() for value in test_ids]
    solution_ids = solution.ids()
    known = set(solution_ids)
    wanted = set(expected)
    problems = []
    if len(wanted) != len(expected):
        problems.append(f"{spec.test_file_name} repeats {plural(len(expected) - len(wanted), 'id')}.")
    missing = [value for value in expected if value not in known]
    if missing:
        problems.append(
            f"{plural(len(missing), 'id')} of {spec.test_file_name} {agree(len(missing), 'is', 'are')} "
            f"not in the solution (first: {first_few(missing)})."
        )
    extra = [value for value in solution_ids if value not in wanted]
    if extra:
        problems.append(
            f"The solution has {plural(len(extra), 'id')} that {spec.test_file_name} does not "
            f"(first: {first_few(extra)})."
        )
    if problems:
        raise SolutionError(
            " ".join(problems) + f" The solution must hold exactly the ids of {spec.test_file_name}."
        )
