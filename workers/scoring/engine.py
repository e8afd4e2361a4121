"""Scoring one submission file against a loaded solution."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from workers.scoring.archives import read_upload
from workers.scoring.errors import SubmissionRejected
from workers.scoring.formulas import LabelContext
from workers.scoring.header import Match, match_layout, read_header
from workers.scoring.insight import Insight, insight_of
from workers.scoring.metrics import Metric
from workers.scoring.predictions import (
    RowNamer,
    read_label_codes,
    read_numbers,
    read_probability_rows,
    read_ranked_codes,
)
from workers.scoring.reading import read_rows
from workers.scoring.solution import Solution, check_spec
from workers.scoring.spec import ScoringSpec

_ARROW_TYPES = {
    "label": pa.dictionary(pa.int32(), pa.string()),
    "number": pa.float64(),
    "positive_probability": pa.float64(),
    "label_probabilities": pa.float64(),
    "ranked_labels": pa.string(),
}


@dataclass(frozen=True)
class ScoreResult:
    public_score: float
    private_score: float | None  # None when the solution has no Private rows
    extra_scores: dict[str, dict[str, float | None]]  # {"f1_macro": {"public": 0.9, "private": 0.88}}
    rows: int
    insight: Insight | None = None  # Public rows only (workers/scoring/insight.py); None unless asked for


@dataclass(frozen=True)
class Predictions:
    """A file's predictions as scoring reads them: one per solution row, in the solution's order (Public rows
    first), as label codes, floats, or one row of probabilities per row."""

    aligned: np.ndarray
    code_count: int  # the labels' codes run from 0 to code_count - 1


def read_predictions(path: str | os.PathLike[str], solution: Solution, spec: ScoringSpec) -> Predictions:
    """Read and check a learner's file against the solution, exactly as score_file() does before it scores.

    For anything that needs each row's prediction again later (compare.py): a file that was scored once is read
    the same way, layouts and all. Raises SubmissionRejected with a message for the learner; ``solution`` must
    come from load_solution() with this spec.
    """
    if solution.spec != spec.solution_key():
        raise ValueError("The solution was loaded for another scoring spec.")
    metrics = check_spec(spec)
    main = metrics[0]
    data = read_upload(path, spec.max_upload_bytes)
    header = read_header(data)
    match = match_layout(header, solution.layouts)
    layout = match.layout
    id_name = match.file_names[layout.id_column]
    column_types = {id_name: pa.string()}
    column_types.update(
        {match.file_names[name]: _ARROW_TYPES[main.reads] for name in layout.prediction_columns}
    )
    table = read_rows(data, header, column_types)
    del data  # the table holds everything needed from here on; let the raw bytes go
    ids = table.column(id_name)
    index = solution.indexes[layout.solution_id_column]
    try:
        predicted, code_count = _read_predictions(main, metrics, table, match, solution, RowNamer(ids))
    except SubmissionRejected:
        # Wrong ids usually explain odd predictions too (a shifted column, another file), so they come first.
        index.arrange(ids, np.zeros(len(ids)), layout.id_column, spec.test_file_name)
        raise
    return Predictions(index.arrange(ids, predicted, layout.id_column, spec.test_file_name), code_count)


def score_file(
    path: str | os.PathLike[str], solution: Solution, spec: ScoringSpec, *, insight: bool = False
) -> ScoreResult:
    """Validate a learner's file against the solution and score its Public and Private parts.

    With ``insight``, the result also describes the Public rows' errors, from the arrays the score used.

    Raises SubmissionRejected with a message for the learner when the file cannot be scored. ``solution`` must
    come from load_solution() with this spec (up to the upload limit and the test file's name).
    """
    predictions = read_predictions(path, solution, spec)
    metrics = check_spec(spec)
    main = metrics[0]
    aligned = predictions.aligned
    context = LabelContext(code_count=predictions.code_count, positive_code=solution.positive_code, k=spec.k)
    scores = {}
    for metric in metrics:
        chosen = aligned
        if metric.reads == "label" and main.reads == "label_probabilities":
            chosen = aligned.argmax(axis=1)  # label metrics beside probabilities score the likeliest label
        scores[metric.key] = _score_parts(metric, solution, chosen, context)
    _check_finite(scores[main.key])
    return ScoreResult(
        public_score=scores[main.key]["public"],
        private_score=scores[main.key]["private"],
        extra_scores={metric.key: scores[metric.key] for metric in metrics[1:]},
        rows=solution.row_count,
        insight=insight_of(main, solution, aligned[: solution.public_count]) if insight else None,
    )


def _read_predictions(
    main: Metric, metrics: list[Metric], table: pa.Table, match: Match, solution: Solution, namer: RowNamer
) -> tuple[np.ndarray, int]:
    layout = match.layout
    name = match.file_names[layout.prediction_columns[0]]
    column = table.column(name)
    vocabulary = solution.vocabulary
    label_count = len(vocabulary.labels)
    if main.reads == "label":
        return read_label_codes(column, name, vocabulary, namer)
    if main.reads == "ranked_labels":
        assert solution.items is not None and solution.spec.k is not None
        return read_ranked_codes(
            column, name, vocabulary, namer, solution.items, solution.spec.k
        ), label_count
    if main.reads == "label_probabilities":
        names = tuple(match.file_names[label] for label in layout.prediction_columns)
        return read_probability_rows(table, names, namer), label_count
    # One numeric column: the tightest bounds any of the metrics needs.
    lows = [m.prediction_bounds[0] for m in metrics if m.prediction_bounds[0] is not None]
    highs = [m.prediction_bounds[1] for m in metrics if m.prediction_bounds[1] is not None]
    what = "probability" if main.reads == "positive_probability" else "number"
    values = read_numbers(
        column,
        name,
        namer,
        low=max(lows) if lows else None,
        high=min(highs) if highs else None,
        low_exclusive=any(m.lower_bound_open for m in metrics),
        what=what,
    )
    return values, label_count


def _check_finite(parts: dict[str, float | None]) -> None:
    """A leaderboard cannot rank NaN or infinity: the learner is told which predictions make the metric so."""
    if any(value is not None and not math.isfinite(value) for value in parts.values()):
        raise SubmissionRejected(
            "The metric is undefined for these predictions (it came out as NaN or infinite). "
            "Check for constant or extreme values."
        )


def _score_parts(
    metric: Metric, solution: Solution, predicted: np.ndarray, context: LabelContext
) -> dict[str, float | None]:
    split = solution.public_count
    public = metric.compute(solution.truth[:split], predicted[:split], context)
    private = None
    if solution.private_count:
        private = metric.compute(solution.truth[split:], predicted[split:], context)
    return {"public": float(public), "private": None if private is None else float(private)}
