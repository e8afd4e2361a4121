"""The metrics' arithmetic, on arrays already aligned row by row with the solution.

Classification metrics are derived from per-label counts (three ``bincount`` calls) instead of calling
scikit-learn, which re-encodes labels on every call and is several times slower on a million rows. Each
formula reproduces scikit-learn's default behaviour (labels = those present in truth or prediction, 0 for a
zero division) and the tests hold them to scikit-learn's results.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from workers.scoring.parallel import THREADS


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
    """``truth`` is 1 for the positive label, 0 otherwise; ``predicted`` the score of the positive label."""
    return roc_auc(predicted, truth.view(np.uint8) if truth.dtype == np.int8 else truth == 1)


def one_vs_rest_roc_auc(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    """The mean over labels of each label's column scored against all other labels.

    This is ``roc_auc_score(truth, predicted, multi_class="ovr", average="macro", labels=<every code>)``:
    an unweighted mean, every label counted once however rare. The solution check makes every label occur in
    every part, so no label's AUC is undefined.
    """
    # Columns are independent sorts, which release the GIL: spread over the cores.
    with ThreadPoolExecutor(THREADS, thread_name_prefix="scoring") as pool:
        areas = list(
            pool.map(lambda code: roc_auc(predicted[:, code], truth == code), range(predicted.shape[1]))
        )
    return float(np.mean(areas))


_TOP_BIT = np.uint64(1 << 63)
_TWO = np.uint64(
    0x4000_0000_0000_0000
)  # the bits of 2.0: non-negative floats below it have the top two bits clear
_ONE = np.uint64(1)
_INT64_MIN = np.int64(-(1 << 63))


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """The area under the ROC curve of finite ``scores`` for rows where ``positive`` (bool or 0/1 uint8).

    It is the Mann-Whitney U statistic over (positives x negatives): the share of pairs where the positive
    scores higher, a tie counting half, which is what scikit-learn's trapezoids add up to, and what its
    average ranks give. One sort does it: each row becomes a 64-bit key, the score's order in the high 63
    bits and the row's class in the lowest, so that after sorting, the negatives a positive beats or ties
    are the negatives before it, and a tie across classes is a run of negative keys 2v just before a run of
    positive keys 2v + 1. Sorting int64 keys costs what sorting the floats does (NumPy's SIMD sort covers
    both, not uint64), several times less than the argsort scikit-learn makes. The counts are integers,
    exact at any size; only the final division rounds.

    With one class only the area is undefined: NaN, as scikit-learn returns (with a warning). The engine
    never gets there, since a solution part without both classes is refused when it is loaded.
    """
    doubled_u = positives = negatives = 0
    for keys in _keys_by_sign(scores, positive.view(np.uint8)):  # ascending: negative scores first
        part_positives, part_negatives, part_doubled_u = _sorted_counts(keys)
        # Every positive of a higher range beats every negative of the lower ones.
        doubled_u += part_doubled_u + 2 * part_positives * negatives
        positives += part_positives
        negatives += part_negatives
    if positives == 0 or negatives == 0:
        return float("nan")
    return doubled_u / (2 * positives * negatives)


def _keys_by_sign(scores: np.ndarray, positive: np.ndarray) -> list[np.ndarray]:
    """Signed 64-bit sort keys (the score's order shifted up one bit, the class in the lowest bit).

    A non-negative float's bits sort as the float does; a negative one's do once flipped. Either way they
    stay below 2**63 and leave room for the class bit; flipping the top bit of the shifted key then makes
    it sort as a signed integer, which only keys of 2.0 or more need. Scores of both signs make two ranges,
    negative scores first, which is cheaper than fitting both signs into one key; -0.0 joins 0.0, as it
    compares equal.
    """
    bits = scores.view(np.uint64)
    largest = bits.max()
    if largest < _TOP_BIT:  # the common case, probabilities: no negative score, nor -0.0
        return [_shifted(bits, positive, flip_top=largest >= _TWO)]
    bits = (scores + 0.0).view(np.uint64)  # a copy, in which -0.0 became 0.0
    negative = bits >= _TOP_BIT
    ranges = []
    for chosen, flip in ((negative, True), (~negative, False)):
        if chosen.all():
            part, classes = bits, positive
        elif chosen.any():
            part, classes = bits[chosen], positive[chosen]
        else:
            continue
        if flip:
            np.invert(part, out=part)  # part is a copy already, free to change
        ranges.append(_shifted(part, classes, flip_top=True))
    return ranges


def _shifted(bits: np.ndarray, positive: np.ndarray, *, flip_top: bool) -> np.ndarray:
    keys = (bits << _ONE).view(np.int64)
    keys |= positive
    if flip_top:
        keys ^= _INT64_MIN
    return keys


def _sorted_counts(keys: np.ndarray) -> tuple[int, int, int]:
    """Sorts ``keys`` in place; returns its positives, its negatives and twice their U statistic."""
    keys.sort()
    classes = keys & 1
    positives = int(np.count_nonzero(classes))
    negatives = len(keys) - positives
    # The i-th positive (from 0) at sorted position p has p - i negatives before it: those it beats or ties.
    position_sum = int(np.dot(classes, np.arange(len(keys), dtype=np.int64)))
    beaten_or_tied = position_sum - positives * (positives - 1) // 2
    # U = beaten + tied / 2, doubled to stay an integer: 2 * (beaten or tied) - tied.
    return positives, negatives, 2 * beaten_or_tied - _tied_pairs(keys)


def _tied_pairs(keys: np.ndarray) -> int:
    """The number of (positive, negative) pairs with equal scores in sorted ``keys``.

    Each tie across classes ends at a negative key directly followed by its positive twin. When such ends
    are few, binary searches find each tie's first negative and last positive; when they are many (scores
    with few decimals), one pass over the runs of equal keys costs less.
    """
    last_negatives = np.flatnonzero((keys[1:] ^ keys[:-1]) == 1)
    if len(last_negatives) == 0:
        return 0
    if len(last_negatives) * 16 < len(keys):
        negative_keys = keys[last_negatives]
        starts = np.searchsorted(keys, negative_keys, side="left")
        ends = np.searchsorted(keys, negative_keys + 1, side="right")
        return int(np.dot(last_negatives + 1 - starts, ends - last_negatives - 1))
    run_starts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    run_starts = np.concatenate(([0], run_starts))
    run_lengths = np.diff(run_starts, append=len(keys))
    run_keys = keys[run_starts]
    twins = np.flatnonzero((run_keys[1:] ^ run_keys[:-1]) == 1)
    return int(np.dot(run_lengths[twins], run_lengths[twins + 1]))


# --- ranking ------------------------------------------------------------------------------------------------


def mean_average_precision_at_k(truth: np.ndarray, predicted: np.ndarray, context: LabelContext) -> float:
    """Kaggle's MAP@K on item codes: ``truth`` (rows x most relevant) holds each row's distinct relevant
    items, padded with -1; ``predicted`` (rows x K) the ranked guesses, padded with codes below -1.

    Only the first K predictions count, a repeated prediction counts once, and a row with nothing relevant
    scores 0, as in the reference ``apk`` that Kaggle's competitions use. Whole columns at a time: a guess
    hits when it equals one of its row's relevant codes, and a hit at rank r adds (hits so far) / r.
    """
    assert context.k is not None
    rows = len(truth)
    predicted = predicted[:, : context.k]
    ranks = predicted.shape[1]
    hits = np.zeros(predicted.shape, dtype=bool)
    for place in range(truth.shape[1]):  # a guess hits when it is any of its row's relevant items
        hits |= predicted == truth[:, place : place + 1]
    hits &= _first_occurrences(predicted)
    found = np.cumsum(hits, axis=1)
    precision_sums = (hits * found / np.arange(1, ranks + 1)).sum(axis=1)
    relevant_counts = np.count_nonzero(truth >= 0, axis=1)
    scored = relevant_counts > 0
    total = np.sum(precision_sums[scored] / np.minimum(relevant_counts[scored], context.k))
    return float(total / rows)


def _first_occurrences(predicted: np.ndarray) -> np.ndarray:
    """True where a row's guess is not one of its earlier guesses."""
    ranks = predicted.shape[1]
    first = np.ones(predicted.shape, dtype=bool)
    if ranks <= 16:  # K compares of whole columns
        for rank in range(1, ranks):
            first[:, rank] = ~(predicted[:, rank : rank + 1] == predicted[:, :rank]).any(axis=1)
        return first
    # Long lists: a stable sort within each row puts repeats after their first place.
    order = np.argsort(predicted, axis=1, kind="stable")
    ordered = np.take_along_axis(predicted, order, axis=1)
    repeated = np.zeros(predicted.shape, dtype=bool)
    repeated[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
    np.put_along_axis(first, order, ~repeated, axis=1)
    return first
