"""What a learner reads beside a score: where the predictions go wrong, on the Public rows only.

Computed by score_file() on the arrays it already aligned for the score, so the file is read once. Only the
Public part (the first ``public_count`` rows of the part-ordered arrays) is passed in: the Private rows stay
hidden until a challenge ends, and an insight computed on them would leak them one confusion cell at a time.

Every value is a plain int, float or str (JSON as stored), and finite: empty bins are left out rather than
given a NaN mean.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from workers.scoring.formulas import LabelCounts
from workers.scoring.metrics import Metric
from workers.scoring.solution import Solution

# Above this many labels a confusion matrix is no longer something to read: the insight keeps the per-label table
# of the most frequent true labels only. An open vocabulary lets a file invent labels without bound.
MAX_MATRIX_LABELS = 50
MAX_TABLE_LABELS = 200
OTHER_LABEL = "(not a solution label)"  # every predicted label outside the solution's, in one column
HISTOGRAM_BINS = 20
CALIBRATION_BINS = 10
DECILES = 10
_CALIBRATION_EDGES = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
_LOWER_EDGES = np.concatenate(([-np.inf], _CALIBRATION_EDGES[1:-1]))  # bin 0 is closed at 0
PERCENTILE_SAMPLE = 20_000
_ONE_BINCOUNT_CODES = 100  # up to 100 x 100 cells, one bincount of label pairs is the cheapest count
THRESHOLD = 0.5  # the cut that turns P(positive) into a label for the confusion matrix

Insight = dict[str, Any]


def insight_of(metric: Metric, solution: Solution, predicted: np.ndarray) -> Insight | None:
    """The insight of the main metric's predictions on the Public rows, ``predicted`` (the Public part of the
    aligned predictions, in the solution's part order).

    Label codes beyond the solution's labels are labels the learner invented (open vocabularies). Returns None
    for predictions no insight describes (ranked lists) and for an empty Public part.
    """
    truth = solution.truth[: solution.public_count]
    labels, positive_code = solution.vocabulary.labels, solution.positive_code
    if len(truth) == 0 or metric.reads == "ranked_labels":
        return None
    if metric.reads == "label":
        return {"kind": "classification", "rows": len(truth), **classification(truth, predicted, labels)}
    if metric.reads == "number":
        return {"kind": "regression", "rows": len(truth), **regression(truth, predicted, _deciles(solution))}
    if metric.reads == "label_probabilities":
        # The likeliest label against the truth, and how often the top probability is right for its size.
        top = predicted.argmax(axis=1)
        confidence = predicted[np.arange(len(top)), top]
        return {
            "kind": "probabilities",
            "rows": len(truth),
            **classification(truth, top, labels),
            "calibration": calibration(confidence, top == truth, of="the likeliest label"),
        }
    # positive_probability: truth is 1 for the positive label. A ROC AUC score need not be a probability.
    assert positive_code is not None
    result: Insight = {"kind": "probabilities", "rows": len(truth)}
    if predicted.min() >= 0.0 and predicted.max() <= 1.0:
        negative_code = 1 - positive_code  # binary metrics have exactly two labels
        binary_labels = tuple(labels[code] for code in sorted((negative_code, positive_code)))
        # Codes 0/1 of the two labels: truth and the cut prediction are already 0/1 when the positive label is 1.
        as_code = truth.astype(np.int8, copy=False) if positive_code == 1 else (1 - truth).astype(np.int8)
        cut = predicted >= THRESHOLD
        predicted_code = cut.view(np.int8) if positive_code == 1 else (~cut).view(np.int8)
        result |= classification(as_code, predicted_code, binary_labels)
        result["threshold"] = THRESHOLD
        result["calibration"] = calibration(predicted, truth == 1, of=f"label {labels[positive_code]}")
    return result


def classification(truth: np.ndarray, predicted: np.ndarray, labels: tuple[str, ...]) -> Insight:
    """Labels present in the truth or the predictions (in code order, as scikit-learn's sorted union when the
    labels sort), the confusion matrix with rows of true labels, and precision/recall/F1/support per label.

    The per-label figures equal ``classification_report(truth, predicted, labels=labels, zero_division=0)``.
    """
    known = len(labels)
    invented = predicted >= known
    if invented.any():
        predicted = np.where(invented, known, predicted)  # one column for every invented label
    code_count = known + 1
    cells = None
    if code_count <= _ONE_BINCOUNT_CODES:
        # One bincount of (true, predicted) pairs gives the matrix, and its sums and diagonal every count.
        pairs = truth.astype(np.int32) * code_count + predicted
        cells = np.bincount(pairs, minlength=code_count * code_count).reshape(code_count, code_count)
        counts = LabelCounts(true=cells.sum(axis=1), predicted=cells.sum(axis=0), hits=np.diagonal(cells))
    else:
        counts = LabelCounts.of(truth, predicted, code_count)
    seen = np.flatnonzero((counts.true + counts.predicted) > 0)
    names = [*labels, OTHER_LABEL]
    per_label = [
        {
            "label": names[code],
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "support": int(support),
        }
        for code, precision, recall, f1, support in zip(
            seen,
            counts.per_label("precision")[seen],
            counts.per_label("recall")[seen],
            counts.per_label("f1")[seen],
            counts.true[seen],
            strict=True,
        )
    ]
    result: Insight = {"labels": [names[code] for code in seen], "per_label": per_label}
    if len(seen) > MAX_MATRIX_LABELS:
        result["labels"] = None
        result["confusion_matrix"] = None
        result["per_label"] = sorted(per_label, key=lambda row: -row["support"])[:MAX_TABLE_LABELS]
        result["truncated"] = len(per_label) > MAX_TABLE_LABELS
        return result
    if cells is None:
        position = np.full(code_count, -1, dtype=np.int64)
        position[seen] = np.arange(len(seen))
        size = len(seen)
        cells = np.bincount(position[truth] * size + position[predicted], minlength=size * size)
        cells = cells.reshape(size, size)
    else:
        cells = cells[np.ix_(seen, seen)]
    result["confusion_matrix"] = cells.tolist()
    return result


@dataclass(frozen=True)
class TruthDeciles:
    """The Public truth's decile edges and each row's decile: the same for every submission of a challenge."""

    edges: np.ndarray
    which: np.ndarray
    rows: np.ndarray


_deciles_cache: weakref.WeakKeyDictionary[Solution, TruthDeciles] = weakref.WeakKeyDictionary()
_deciles_lock = threading.Lock()


def _deciles(solution: Solution) -> TruthDeciles:
    """Computed once per loaded solution (which the engine caches per process), not once per submission."""
    with _deciles_lock:
        cached = _deciles_cache.get(solution)
    if cached is not None:
        return cached
    deciles = truth_deciles(solution.truth[: solution.public_count])
    with _deciles_lock:
        _deciles_cache[solution] = deciles
    return deciles


def truth_deciles(truth: np.ndarray) -> TruthDeciles:
    # A repeated edge (many equal values) makes an empty decile, which the insight leaves out.
    edges = np.quantile(truth, np.linspace(0, 1, DECILES + 1))
    which = np.clip(np.searchsorted(edges, truth, side="right") - 1, 0, DECILES - 1).astype(np.int8)
    return TruthDeciles(edges=edges, which=which, rows=np.bincount(which, minlength=DECILES))


def regression(truth: np.ndarray, predicted: np.ndarray, deciles: TruthDeciles | None = None) -> Insight:
    """A histogram of residuals (prediction minus truth) and the mean error per decile of the true value.

    The histogram spans about the 1st to 99th percentile of the residuals so that a few wild predictions do not
    squeeze every other row into one bin; the rows beyond are counted in ``below`` and ``above``. The
    percentiles are those of an evenly spaced sample of at most PERCENTILE_SAMPLE rows: they only place the
    bins, whose counts are exact.
    """
    # Predictions near the float limits (1e308) overflow a difference or a sum: such values become None below
    # rather than an error that would fail a file the score accepted.
    with np.errstate(over="ignore", invalid="ignore"):
        residuals = predicted - truth
        absolute = np.abs(residuals)
        step = max(1, len(residuals) // PERCENTILE_SAMPLE)
        low, high = (float(value) for value in np.quantile(residuals[::step], [0.01, 0.99]))
        if low == high:  # (nearly) every residual the same: one bin around it
            low, high = low - 0.5, high + 0.5
        edges, counts = [], []
        if math.isfinite(high - low):
            bin_counts, bin_edges = np.histogram(residuals, bins=HISTOGRAM_BINS, range=(low, high))
            edges, counts = [float(edge) for edge in bin_edges], [int(count) for count in bin_counts]
        histogram = {
            "edges": edges,
            "counts": counts,
            "below": int(np.count_nonzero(residuals < low)),
            "above": int(np.count_nonzero(residuals > high)),
            "mean_error": _finite(residuals.mean()),
            "mean_absolute_error": _finite(absolute.mean()),
        }
    deciles = deciles or truth_deciles(truth)
    decile_edges, which, rows = deciles.edges, deciles.which, deciles.rows
    with np.errstate(over="ignore", invalid="ignore"):
        error_sums = np.bincount(which, weights=residuals, minlength=DECILES)
        absolute_sums = np.bincount(which, weights=absolute, minlength=DECILES)
    by_decile = [
        {
            "decile": decile + 1,
            "low": float(decile_edges[decile]),
            "high": float(decile_edges[decile + 1]),
            "count": int(rows[decile]),
            "mean_error": _finite(error_sums[decile] / rows[decile]),
            "mean_absolute_error": _finite(absolute_sums[decile] / rows[decile]),
        }
        for decile in range(DECILES)
        if rows[decile]
    ]
    return {"residuals": histogram, "by_true_decile": by_decile}


def _finite(value: float) -> float | None:
    """JSON as PostgreSQL stores it has no infinity nor NaN."""
    value = float(value)
    return value if math.isfinite(value) else None


def calibration(probability: np.ndarray, hit: np.ndarray, *, of: str) -> Insight:
    """The calibration curve over ten equal-width bins of [0, 1]: per bin, its rows, their mean probability
    and the share that were right. Equals ``sklearn.calibration.calibration_curve(hit, probability, n_bins=10)``
    (which also leaves empty bins out)."""
    # Bin 0 is [0, 0.1], bin i (i/10, (i+1)/10]: the edges calibration_curve's uniform strategy uses. Arithmetic
    # finds the bin (a binary search per row costs several times more), then one comparison with the bin's
    # lower edge corrects the rows that rounding put one bin too high, at the edges themselves.
    which = np.ceil(probability * CALIBRATION_BINS).astype(np.int8)
    which -= 1
    np.clip(which, 0, CALIBRATION_BINS - 1, out=which)
    which -= probability <= _LOWER_EDGES[which]
    which += probability > _CALIBRATION_EDGES[1:][which]
    # One integer bincount of (bin, hit) pairs counts both the rows and the hits of each bin.
    pairs = np.bincount(which.astype(np.int16) * 2 + hit, minlength=2 * CALIBRATION_BINS).reshape(-1, 2)
    rows, hit_counts = pairs.sum(axis=1), pairs[:, 1]
    probability_sums = np.bincount(which, weights=probability, minlength=CALIBRATION_BINS)
    bins = [
        {
            "low": index / CALIBRATION_BINS,
            "high": (index + 1) / CALIBRATION_BINS,
            "count": int(rows[index]),
            "mean_predicted": float(probability_sums[index] / rows[index]),
            "fraction_true": float(hit_counts[index] / rows[index]),
        }
        for index in range(CALIBRATION_BINS)
        if rows[index]
    ]
    return {"of": of, "bins": bins}
