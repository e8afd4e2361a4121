"""The metrics' arithmetic, on arrays already aligned row by row with the solution.

Classification metrics are derived from one confusion matrix (a single ``bincount``) instead of calling
scikit-learn, which re-encodes labels on every call and is several times slower on a million rows. Each
formula reproduces scikit-learn's default behaviour (labels = those present in truth or prediction, 0 for a
zero division) and the tests hold them to scikit-learn's results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LabelContext:
    """What label metrics need beside the codes."""

    code_count: int  # codes run from 0 to code_count - 1
    positive_code: int | None = None  # binary metrics
    k: int | None = None  # MAP@K


# --- classification, from the confusion matrix ------------------------------------------------------------


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, code_count: int) -> np.ndarray:
    flat = truth.astype(np.intp) * code_count + predicted
    return np.bincount(flat, minlength=code_count * code_count).reshape(code_count, code_count)


def _present(matrix: np.ndarray) -> np.ndarray:
    """The confusion matrix restricted to labels seen in truth or prediction, as scikit-learn does."""
    seen = (matrix.sum(axis=0) + matrix.sum(axis=1)) > 0
    return matrix[np.ix_(seen, seen)]


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator with 0 where the denominator is 0 (scikit-learn's zero_division default)."""
    out = np.zeros(np.shape(numerator), dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _per_label(matrix: np.ndarray, which: str) -> np.ndarray:
    true_positives = np.diag(matrix).astype(np.float64)
    predicted_count = matrix.sum(axis=0)
    true_count = matrix.sum(axis=1)
    if which == "precision":
        return _divide(true_positives, predicted_count)
    if which == "recall":
        return _divide(true_positives, true_count)
    # F1 as 2·tp / (2·tp + fp + fn), the form scikit-learn uses, so a zero precision and recall give 0.
    return _divide(2 * true_positives, predicted_count + true_count)


def accuracy(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    return float(np.count_nonzero(truth == predicted) / len(truth))


def balanced_accuracy(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    matrix = _present(confusion_matrix(truth, predicted, context.code_count))
    true_count = matrix.sum(axis=1)
    recalls = np.diag(matrix)[true_count > 0] / true_count[true_count > 0]
    return float(np.mean(recalls))


def averaged(which: str, average: str):
    """A precision/recall/F1 function for one of scikit-learn's ``average`` modes."""

    def score(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
        full = confusion_matrix(truth, predicted, context.code_count)
        if average == "binary":
            assert context.positive_code is not None
            positive = context.positive_code
            return float(_per_label(full, which)[positive])
        if average == "micro":
            # Every row has exactly one true and one predicted label, so micro P = R = F1 = accuracy.
            return accuracy(truth, predicted, context)
        matrix = _present(full)
        scores = _per_label(matrix, which)
        if average == "macro":
            return float(np.mean(scores))
        support = matrix.sum(axis=1)
        return float(np.sum(scores * support) / np.sum(support))

    score.__name__ = f"{which}_{average}"
    return score


def quadratic_weighted_kappa(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    """Cohen's kappa with quadratic weights over the whole label scale.

    The weights use every label's position in the declared label order, not only the labels that occur in
    this part: a 1-to-5 rating scale keeps its spacing even if nobody was rated 4. This equals
    ``cohen_kappa_score(..., weights="quadratic", labels=<all labels in order>)``.
    """
    matrix = confusion_matrix(truth, predicted, context.code_count).astype(np.float64)
    expected = np.outer(matrix.sum(axis=1), matrix.sum(axis=0)) / matrix.sum()
    positions = np.arange(context.code_count, dtype=np.float64)
    weights = (positions[:, None] - positions[None, :]) ** 2
    denominator = np.sum(weights * expected)
    if denominator == 0:
        # Only possible when truth and prediction are one and the same label; solutions are checked so that
        # each part holds two labels, which leaves a perfect constant prediction impossible.
        return 0.0
    return float(1 - np.sum(weights * matrix) / denominator)


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
