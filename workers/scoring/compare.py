"""Two submissions to one challenge side by side, on the Public rows: which rows changed their prediction.

Reads both files with the engine's read_predictions(), the steps of score_file() (header, layout, ids aligned with
the solution), and keeps only the Public part. Done on request, not at scoring time: a comparison needs each row's
prediction, which is not stored with a submission (a million rows would be megabytes of JSON each).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from workers.scoring.engine import read_predictions
from workers.scoring.insight import OTHER_LABEL, THRESHOLD
from workers.scoring.solution import Solution, check_spec
from workers.scoring.spec import ScoringSpec

MAX_FLOWS = 30  # the largest label-to-label flows; the rest are summed into one line


def public_predictions(path: str | os.PathLike[str], solution: Solution, spec: ScoringSpec) -> np.ndarray:
    """The file's predictions on the Public rows, in the solution's Public order.

    Labels come as codes, probabilities as P(positive) or one column per label, numbers as floats. Raises
    SubmissionRejected as scoring would: the engine's read_predictions() reads it, the one reading scoring uses.
    """
    return read_predictions(path, solution, spec).aligned[: solution.public_count]


def compare_predictions(
    first: np.ndarray, second: np.ndarray, solution: Solution, *, with_truth: bool
) -> dict[str, Any] | None:
    """How the Public predictions changed from ``first`` to ``second`` (both from public_predictions()).

    Label predictions (probabilities turned into the likeliest label, or P(positive) cut at 0.5) give the rows
    that changed label and the flows from one label to another; with ``with_truth``, also how many became right
    and how many became wrong. Numbers give the rows that changed and by how much. None for ranked lists.
    """
    main = check_spec(solution.spec)[0]
    if main.reads == "ranked_labels":
        return None
    rows = len(first)
    if main.reads == "number":
        change = second - first
        changed = change != 0
        result: dict[str, Any] = {
            "kind": "numbers",
            "rows": rows,
            "changed": int(np.count_nonzero(changed)),
            "mean_absolute_change": float(np.abs(change).mean()) if rows else 0.0,
        }
        if with_truth:
            truth = solution.truth[:rows]
            before, after = np.abs(first - truth), np.abs(second - truth)
            result["closer"] = int(np.count_nonzero(after < before))
            result["further"] = int(np.count_nonzero(after > before))
        return result
    labels = list(solution.vocabulary.labels)
    if main.reads == "label_probabilities":
        first, second = first.argmax(axis=1), second.argmax(axis=1)
    elif main.reads == "positive_probability":
        positive = solution.positive_code
        assert positive is not None
        first, second = (np.where(p >= THRESHOLD, positive, 1 - positive) for p in (first, second))
    known = len(labels)
    # Invented labels (open vocabularies) have per-file codes: the same text may have two codes, so they are one.
    first, second = (np.minimum(codes.astype(np.int64), known) for codes in (first, second))
    names = [*labels, OTHER_LABEL]
    changed = first != second
    pairs = np.bincount(first[changed] * (known + 1) + second[changed], minlength=(known + 1) ** 2)
    order = np.argsort(-pairs, kind="stable")
    order = order[pairs[order] > 0]
    flows = [
        {
            "from_label": names[pair // (known + 1)],
            "to_label": names[pair % (known + 1)],
            "rows": int(pairs[pair]),
        }
        for pair in order[:MAX_FLOWS]
    ]
    result = {
        "kind": "labels",
        "rows": rows,
        "changed": int(np.count_nonzero(changed)),
        "flows": flows,
        "other_flows_rows": int(pairs[order[MAX_FLOWS:]].sum()),
    }
    if main.reads == "positive_probability":
        result["threshold"] = THRESHOLD
    if with_truth:
        truth = solution.truth[:rows].astype(np.int64)
        if main.reads == "positive_probability":
            truth = np.where(truth == 1, solution.positive_code, 1 - solution.positive_code)
        was_right, is_right = first == truth, second == truth
        result["became_right"] = int(np.count_nonzero(is_right & ~was_right))
        result["became_wrong"] = int(np.count_nonzero(was_right & ~is_right))
    return result
