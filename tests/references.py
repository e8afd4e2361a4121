"""Reference implementations the engine is held to, shared by its tests and bench/metric_cases.py."""

from __future__ import annotations


def reference_apk(actual: list[str], predicted: list[str], k: int) -> float:
    """The apk of Ben Hamner's ml_metrics, which Kaggle's MAP@K competitions cite."""
    predicted = predicted[:k]
    score = 0.0
    hits = 0.0
    for position, item in enumerate(predicted):
        if item in actual and item not in predicted[:position]:
            hits += 1.0
            score += hits / (position + 1.0)
    if not actual:
        return 0.0
    return score / min(len(actual), k)
