"""Two files' Public predictions compared by the engine: labels, probabilities and numbers; Private rows ignored."""

from __future__ import annotations

import numpy as np
import pytest

from tests.workers.scoring.helpers import Files
from workers.scoring import ScoringSpec, SubmissionFormat, load_solution
from workers.scoring.compare import compare_predictions, public_predictions


def spec_for(metric: str, **changes) -> ScoringSpec:
    return ScoringSpec(
        metric=metric,
        formats=(SubmissionFormat("id", "Label"),),
        solution_id_column="id",
        solution_target_column="truth",
        **changes,
    )


def solution_of(files: Files, spec: ScoringSpec, truths: list[str]):
    rows = [
        [number, truth, "Public" if number % 2 == 0 else "Private"] for number, truth in enumerate(truths)
    ]
    return load_solution(files.csv(["id", "truth", "Usage"], rows), spec)


def read(files: Files, solution, spec, values) -> np.ndarray:
    rows = [[number, value] for number, value in reversed(list(enumerate(values)))]  # any row order
    return public_predictions(files.csv(["id", "Label"], rows), solution, spec)


def test_label_changes_on_public_rows_are_counted_with_their_flows(files: Files) -> None:
    spec = spec_for("accuracy", allowed_labels=("a", "b", "c"))
    truths = ["a", "b", "c", "a"] * 10  # Public (even ids): a, c, a, c, ...
    solution = solution_of(files, spec, truths)
    first = read(files, solution, spec, truths)
    changed = list(truths)
    changed[0], changed[4] = "b", "b"  # two Public a -> b
    changed[2] = "a"  # one Public c -> a
    changed[1] = changed[3] = "c"  # Private rows: not counted
    result = compare_predictions(first, read(files, solution, spec, changed), solution, with_truth=True)
    assert result["changed"] == 3 and result["rows"] == 20
    assert {(f["from_label"], f["to_label"]): f["rows"] for f in result["flows"]} == {
        ("a", "b"): 2,
        ("c", "a"): 1,
    }
    assert result["became_wrong"] == 3 and result["became_right"] == 0
    assert "became_right" not in compare_predictions(first, first, solution, with_truth=False)


def test_probabilities_compare_the_labels_at_the_threshold(files: Files) -> None:
    spec = spec_for("roc_auc", positive_label="yes")
    truths = ["yes", "yes", "no", "no"] * 5  # Public (even ids): yes, no, yes, no, ...
    solution = solution_of(files, spec, truths)
    first = read(files, solution, spec, [0.9 if truth == "yes" else 0.1 for truth in truths])
    second = read(files, solution, spec, [0.4 if truth == "yes" else 0.1 for truth in truths])
    result = compare_predictions(first, second, solution, with_truth=True)
    assert result["kind"] == "labels" and result["threshold"] == 0.5
    # The five Public "yes" rows drop below the threshold; the "no" rows stay where they were.
    assert result["changed"] == 5 and result["flows"] == [{"from_label": "yes", "to_label": "no", "rows": 5}]
    assert result["became_wrong"] == 5


def test_numbers_count_the_rows_that_moved_closer(files: Files) -> None:
    spec = spec_for("rmse")
    truths = [str(float(number)) for number in range(20)]
    solution = solution_of(files, spec, truths)
    first = read(files, solution, spec, [float(number) + 2 for number in range(20)])
    second = read(files, solution, spec, [float(number) + (1 if number < 10 else 3) for number in range(20)])
    result = compare_predictions(first, second, solution, with_truth=True)
    assert result["kind"] == "numbers" and result["changed"] == 10
    assert result["closer"] == 5 and result["further"] == 5
    assert result["mean_absolute_change"] == pytest.approx(1.0)
