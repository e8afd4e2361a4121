"""One benchmark case per metric of the registry, for ``bench/score_engine.py --metrics all``.

Each case is a solution and a shuffled submission in the layout its metric reads, generated once into
bench/.data/, the spec the engine scores it with, and the naive scorer a host would write: pandas reads both
files, merges on the id, and calls scikit-learn (or Kaggle's reference apk) on each part.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sklearn import metrics as sk

from workers.scoring import METRICS, ScoringSpec, SubmissionFormat

DATA = Path(__file__).resolve().parent / ".data"
LABELS = tuple(str(digit) for digit in range(10))
PUBLIC_SHARE = 0.3
MATRIX_SHARE = 0.3  # probability matrices have 10 columns: 300k rows for 1M elsewhere
K = 5

NaiveFunction = Callable[[pd.Series, object], float]


@dataclass(frozen=True)
class Case:
    metric: str
    data: str  # which generated data set, shown in the table
    rows: int
    spec: ScoringSpec
    solution: Path
    submission: Path  # shuffled
    naive_function: NaiveFunction
    prediction_columns: tuple[str, ...]

    def naive(self) -> tuple[float, float]:
        """What a host's scoring script usually is: read both files, merge on the id, score each part."""
        solution = pd.read_csv(self.solution)
        submission = pd.read_csv(self.submission)
        merged = solution.merge(submission, on="id", suffixes=("_true", ""))
        scores = []
        for part in ("Public", "Private"):
            rows = merged[merged["Usage"] == part]
            predicted = rows[list(self.prediction_columns)]
            predicted = predicted.iloc[:, 0] if len(self.prediction_columns) == 1 else predicted.to_numpy()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. log_loss's FutureWarning about its argument's name
                scores.append(float(self.naive_function(rows["truth"], predicted)))
        return scores[0], scores[1]


def _write(path: Path, columns: dict[str, object]) -> None:
    with open(path, "wb") as handle:
        pa_csv.write_csv(pa.table(columns), handle, pa_csv.WriteOptions(quoting_style="none"))


def _generate(name: str, rows: int, make: Callable[[np.random.Generator, int], tuple[dict, dict]]):
    """Solution and shuffled submission of data set ``name``, written once; ``make`` returns their columns."""
    # Apart from score_engine.generate()'s folders (digits-<rows>, another layout): "metric-" first.
    directory = DATA / f"metric-{name}-{rows}"
    solution, submission = directory / "solution.csv", directory / "shuffled.csv"
    if solution.exists() and submission.exists():
        return solution, submission
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(rows)
    ids = np.arange(1, rows + 1)
    usage = np.where(rng.random(rows) < PUBLIC_SHARE, "Public", "Private")
    truth, predicted = make(rng, rows)
    _write(solution, {"id": ids, **truth, "Usage": usage})
    order = rng.permutation(rows)
    _write(submission, {"id": ids[order], **{name: values[order] for name, values in predicted.items()}})
    return solution, submission


def _noisy(rng: np.random.Generator, truth: np.ndarray, right: float, choices: int) -> np.ndarray:
    return np.where(rng.random(len(truth)) < right, truth, rng.integers(0, choices, len(truth)))


def _digits(rng, rows):
    """Kaggle's digit recognizer: 10 labels, an 80 %-accurate model."""
    truth = rng.integers(0, 10, rows)
    return {"truth": truth}, {"Label": _noisy(rng, truth, 0.8, 10)}


def _yes_no(rng, rows):
    truth = (rng.random(rows) < 0.3).astype(np.int8)
    return {"truth": truth}, {"Label": _noisy(rng, truth, 0.85, 2)}


def _positive_probability(rng, rows):
    """P(positive) with 6 decimals, as submissions usually print it: some ties, mostly distinct."""
    truth = (rng.random(rows) < 0.3).astype(np.int8)
    probability = np.clip(np.where(truth == 1, 0.65, 0.35) + rng.normal(0, 0.2, rows), 0, 1)
    return {"truth": truth}, {"target": np.round(probability, 6)}


def _label_probabilities(rng, rows):
    """A probability column per label with 6 decimals; the last one makes each row sum to 1."""
    truth = rng.integers(0, 10, rows)
    logits = rng.normal(0, 1, (rows, 10))
    logits[np.arange(rows), truth] += 1.5
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    probabilities = np.round(probabilities, 6)
    probabilities[:, -1] = np.round(1 - probabilities[:, :-1].sum(axis=1), 6).clip(0, 1)
    return {"truth": truth}, {label: probabilities[:, code] for code, label in enumerate(LABELS)}


def _prices(rng, rows):
    """House prices with 2 decimals and a model off by about 20 %."""
    truth = np.round(rng.lognormal(12, 0.4, rows), 2)
    return {"truth": truth}, {"SalePrice": np.round(truth * np.abs(rng.normal(1, 0.2, rows)), 2)}


def _ranked_items(rng, rows):
    """1-3 distinct relevant items of 100 per row; K ranked guesses, one of them relevant 60 % of the time."""
    items = np.array([f"i{number}" for number in range(100)])
    first = rng.integers(0, 100, rows)
    steps = rng.integers(1, 50, (rows, 2)).cumsum(axis=1)  # 1 <= step 1 < step 2 <= 98: three distinct
    relevant = np.column_stack([first, (first[:, None] + steps) % 100])
    how_many = rng.integers(1, 4, rows)
    guesses = rng.integers(0, 100, (rows, K))
    hit = rng.random(rows) < 0.6
    guesses[hit, rng.integers(0, K, rows)[hit]] = first[hit]
    return (
        {
            "truth": np.array(
                [" ".join(items[row[:count]]) for row, count in zip(relevant, how_many, strict=True)]
            )
        },
        {"Predicted": np.array([" ".join(items[row]) for row in guesses])},
    )


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


def _naive_map_at_k(truth: pd.Series, predicted: pd.Series) -> float:
    return float(
        np.mean(
            [
                reference_apk(a.split(), p.split(), K)
                for a, p in zip(truth.fillna(""), predicted.fillna(""), strict=True)
            ]
        )
    )


def _naive_functions() -> dict[str, NaiveFunction]:
    functions: dict[str, NaiveFunction] = {
        "accuracy": sk.accuracy_score,
        "balanced_accuracy": sk.balanced_accuracy_score,
        "quadratic_weighted_kappa": partial(
            sk.cohen_kappa_score, weights="quadratic", labels=list(range(10))
        ),
        "log_loss": partial(sk.log_loss, labels=list(range(10))),
        "log_loss_binary": partial(sk.log_loss, labels=[0, 1]),
        "roc_auc": sk.roc_auc_score,
        "roc_auc_ovr": partial(sk.roc_auc_score, multi_class="ovr", labels=list(range(10))),
        "rmse": sk.root_mean_squared_error,
        "mae": sk.mean_absolute_error,
        "r2": sk.r2_score,
        "rmsle": sk.root_mean_squared_log_error,
        "mape": sk.mean_absolute_percentage_error,
        "map_at_k": _naive_map_at_k,
    }
    for which, function in (
        ("precision", sk.precision_score),
        ("recall", sk.recall_score),
        ("f1", sk.f1_score),
    ):
        for average in ("macro", "micro", "weighted"):
            functions[f"{which}_{average}"] = partial(function, average=average)
        functions[f"{which}_binary"] = partial(function, average="binary", pos_label=1)
    return functions


NAIVE = _naive_functions()


def case(metric: str, rows: int) -> Case:
    """The case of ``metric`` at ``rows`` rows (MATRIX_SHARE of them for a probability matrix)."""
    definition = METRICS[metric]

    def spec(target: str, **fields) -> ScoringSpec:
        return ScoringSpec(
            metric=metric,
            formats=(SubmissionFormat("id", target),),
            solution_id_column="id",
            solution_target_column="truth",
            max_upload_bytes=1024**3,
            **fields,
        )

    if definition.reads == "label_probabilities":
        rows = max(1, int(rows * MATRIX_SHARE))
        name, make, columns = "label-probabilities", _label_probabilities, LABELS
        chosen = spec("target", allowed_labels=LABELS)
    elif definition.reads == "positive_probability":
        name, make, columns = "positive-probability", _positive_probability, ("target",)
        chosen = spec("target", allowed_labels=("0", "1"), positive_label="1")
    elif definition.reads == "number":
        name, make, columns = "prices", _prices, ("SalePrice",)
        chosen = spec("SalePrice")
    elif definition.reads == "ranked_labels":
        name, make, columns = "ranked-items", _ranked_items, ("Predicted",)
        chosen = spec("Predicted", k=K)
    elif definition.needs_positive_label:
        name, make, columns = "yes-no", _yes_no, ("Label",)
        chosen = spec("Label", allowed_labels=("0", "1"), positive_label="1")
    else:
        name, make, columns = "digits", _digits, ("Label",)
        chosen = spec("Label", allowed_labels=LABELS)
    solution, submission = _generate(name, rows, make)
    return Case(metric, name, rows, chosen, solution, submission, NAIVE[metric], columns)
