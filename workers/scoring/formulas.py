"""The metrics' arithmetic, on arrays already aligned row by row with the solution.

Classification metrics are derived from per-label counts (three ``bincount`` calls) instead of calling
scikit-learn, which re-encodes labels on every call and is several times slower on a million rows. Each
formula reproduces scikit-learn's default behaviour (labels = those present in truth or prediction, 0 for a
zero division) and the tests hold them to scikit-learn's results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LabelContext:
    """What label metrics need beside the codes."""

    code_count: int  # codes run from 0 to code_count - 1
    positive_code: int | None = None  # binary metrics
    k: int | None = None  # MAP@K


ComputeFunction = Callable[[np.ndarray, np.ndarray, "LabelContext"], float]


# --- classification, from per-label counts -------------------------------------------------------------


@dataclass(frozen=True)
class LabelCounts:
    """Per label: how often it is true, predicted, and both. Three bincounts, O(rows + labels).

    This is all the confusion matrix gives these metrics, without its labels² cells: a submission may invent
    thousands of labels when the vocabulary is open.
    """

    true: np.ndarray
    predicted: np.ndarray
    hits: np.ndarray

    @classmethod
    def of(cls, truth: np.ndarray, predicted: np.ndarray, code_count: int) -> LabelCounts:
        return cls(
            true=np.bincount(truth, minlength=code_count),
            predicted=np.bincount(predicted, minlength=code_count),
            hits=np.bincount(truth[truth == predicted], minlength=code_count),
        )

    def present(self) -> LabelCounts:
        """Only labels seen in truth or prediction, the labels scikit-learn averages over by default."""
        seen = (self.true + self.predicted) > 0
        return LabelCounts(self.true[seen], self.predicted[seen], self.hits[seen])

    def per_label(self, which: str) -> np.ndarray:
        if which == "precision":
            return _divide(self.hits, self.predicted)
        if which == "recall":
            return _divide(self.hits, self.true)
        # F1 as 2·tp / (2·tp + fp + fn), the form scikit-learn uses, so a zero precision and recall give 0.
        return _divide(2 * self.hits, self.predicted + self.true)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator with 0 where the denominator is 0 (scikit-learn's zero_division default)."""
    out = np.zeros(np.shape(numerator), dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def accuracy(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    return float(np.count_nonzero(truth == predicted) / len(truth))


def balanced_accuracy(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    counts = LabelCounts.of(truth, predicted, context.code_count)
    occurring = counts.true > 0
    return float(np.mean(counts.hits[occurring] / counts.true[occurring]))


def averaged(which: str, average: str) -> ComputeFunction:
    """A precision/recall/F1 function for one of scikit-learn's ``average`` modes."""

    def score(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
        if average == "micro":
            # Every row has exactly one true and one predicted label, so micro P = R = F1 = accuracy.
            return accuracy(truth, predicted, context)
        counts = LabelCounts.of(truth, predicted, context.code_count)
        if average == "binary":
            assert context.positive_code is not None
            return float(counts.per_label(which)[context.positive_code])
        counts = counts.present()
        scores = counts.per_label(which)
        if average == "macro":
            return float(np.mean(scores))
        return float(np.sum(scores * counts.true) / np.sum(counts.true))

    score.__name__ = f"{which}_{average}"
    return score


def quadratic_weighted_kappa(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    """Cohen's kappa with quadratic weights over the whole label scale.

    The weights use every label's position in the declared label order, not only the labels that occur in
    this part: a 1-to-5 rating scale keeps its spacing even if nobody was rated 4. This equals
    ``cohen_kappa_score(..., weights="quadratic", labels=<all labels in order>)``.

    With weights (i - j)², both sums reduce to moments, so no labels² matrix is built: the observed one is
    the sum of squared distances over rows, the expected one expands (i - j)² into i² - 2ij + j² over the
    product of the two label histograms. Integer arithmetic keeps them exact.
    """
    positions = np.arange(context.code_count, dtype=np.int64)
    true_histogram = np.bincount(truth, minlength=context.code_count).astype(np.int64)
    predicted_histogram = np.bincount(predicted, minlength=context.code_count).astype(np.int64)

    def moment(histogram: np.ndarray, power: int) -> int:
        return int(np.dot(histogram, positions**power))

    distance = truth.astype(np.int64) - predicted
    observed = int(np.dot(distance, distance))
    expected_times_rows = (
        moment(true_histogram, 2) * moment(predicted_histogram, 0)
        - 2 * moment(true_histogram, 1) * moment(predicted_histogram, 1)
        + moment(true_histogram, 0) * moment(predicted_histogram, 2)
    )
    if expected_times_rows == 0:
        # Only when truth and prediction are one and the same label; solutions are checked so that each
        # part holds two labels, which leaves a perfect constant prediction impossible.
        return 0.0
    return float(1 - observed * len(truth) / expected_times_rows)


# --- regression ---------------------------------------------------------------------------------------------


def rmse(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    return float(np.sqrt(np.mean((truth - predicted) ** 2)))


def mae(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    return float(np.mean(np.abs(truth - predicted)))


def r2(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    residual = np.sum((truth - predicted) ** 2)
    total = np.sum((truth - np.mean(truth)) ** 2)
    if total == 0:
        # scikit-learn's force_finite: a constant truth scores 1 if matched exactly, else 0.
        return 1.0 if residual == 0 else 0.0
    return float(1 - residual / total)


def rmsle(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    return float(np.sqrt(np.mean((np.log1p(truth) - np.log1p(predicted)) ** 2)))


def mape(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    epsilon = np.finfo(np.float64).eps
    return float(np.mean(np.abs(truth - predicted) / np.maximum(np.abs(truth), epsilon)))


# --- probabilities ------------------------------------------------------------------------------------------


def binary_log_loss(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    """``truth`` is 1 for the positive label; ``predicted`` the probability of it."""
    epsilon = np.finfo(np.float64).eps
    # Clip the probability given to the true class, as scikit-learn does after widening p to [1 - p, p].
    chosen = np.where(truth == 1, predicted, 1 - predicted)
    return float(-np.mean(np.log(np.clip(chosen, epsilon, 1 - epsilon))))


def multiclass_log_loss(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    """``predicted`` has one column per label code, rows already rescaled to sum to 1."""
    epsilon = np.finfo(np.float64).eps
    chosen = predicted[np.arange(len(truth)), truth]
    return float(-np.mean(np.log(np.clip(chosen, epsilon, 1 - epsilon))))


def binary_roc_auc(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(truth, predicted))


def one_vs_rest_roc_auc(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    from sklearn.metrics import roc_auc_score

    # Macro average of one-vs-rest AUCs; the solution check makes every label occur in every part.
    return float(
        roc_auc_score(
            truth, predicted, multi_class="ovr", average="macro", labels=np.arange(context.code_count)
        )
    )


# --- ranking ------------------------------------------------------------------------------------------------


def mean_average_precision_at_k(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    """Kaggle's MAP@K: ``truth`` holds frozensets of relevant items, ``predicted`` tuples in ranked order.

    Only the first K predictions count, a repeated prediction counts once, and a row with nothing relevant
    scores 0, as in the reference ``apk`` that Kaggle's competitions use.
    """
    assert context.k is not None
    k = context.k
    total = 0.0
    for relevant, ranked in zip(truth, predicted, strict=True):
        if not relevant:
            continue
        hits = 0
        precision_sum = 0.0
        seen: set[str] = set()
        for rank, item in enumerate(ranked[:k], start=1):
            if item in relevant and item not in seen:
                hits += 1
                precision_sum += hits / rank
            seen.add(item)
        total += precision_sum / min(len(relevant), k)
    return total / len(truth)
