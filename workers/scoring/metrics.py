"""The metric registry: each metric's name, which way is better, and what it reads from a submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from workers.scoring import formulas
from workers.scoring.formulas import ComputeFunction

Prediction = Literal["label", "number", "probabilities"]

# How a submission's prediction columns are read; finer than `prediction`, which is what the pages show.
Reads = Literal["label", "number", "positive_probability", "label_probabilities", "ranked_labels"]


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    higher_is_better: bool
    prediction: Prediction
    description: str  # one line, shown on the challenge page
    compute: ComputeFunction = field(repr=False, compare=False)
    reads: Reads = "label"
    needs_positive_label: bool = False
    needs_k: bool = False
    # Labels are positions on a scale (QWK): a label outside the scale cannot be scored even if unrestricted.
    ordinal: bool = False
    # Every part of the solution must hold every label (one-vs-rest AUC) or at least two (AUC, kappa),
    # otherwise the metric is undefined whatever the learner submits.
    truth_needs: Literal["nothing", "two_labels", "every_label"] = "nothing"
    # Numeric predictions outside these bounds are refused (None = unbounded); rmsle's lower bound is open.
    prediction_bounds: tuple[float | None, float | None] = (None, None)
    lower_bound_open: bool = False


def _label(key: str, name: str, description: str, compute: ComputeFunction, **options) -> Metric:
    return Metric(key, name, True, "label", description, compute, reads="label", **options)


def _number(
    key: str, name: str, description: str, compute: ComputeFunction, higher: bool = False, **options
) -> Metric:
    return Metric(key, name, higher, "number", description, compute, reads="number", **options)


def _averaged_family() -> list[Metric]:
    names = {"precision": "Precision", "recall": "Recall", "f1": "F1"}
    averages = {
        "macro": "the unweighted mean over labels",
        "micro": "computed over all rows at once",
        "weighted": "the mean over labels weighted by how often each is true",
    }
    family = []
    for which, title in names.items():
        for average, how in averages.items():
            family.append(
                _label(
                    f"{which}_{average}",
                    f"{title} ({average})",
                    f"{title} per label, {how}.",
                    formulas.averaged(which, average),
                )
            )
        family.append(
            _label(
                f"{which}_binary",
                f"{title} (binary)",
                f"{title} of the positive label.",
                formulas.averaged(which, "binary"),
                needs_positive_label=True,
            )
        )
    return family


_ALL = [
    _label("accuracy", "Accuracy", "Share of rows whose predicted label is the true one.", formulas.accuracy),
    _label(
        "balanced_accuracy",
        "Balanced accuracy",
        "Mean over true labels of the share of that label's rows predicted right (recall per label).",
        formulas.balanced_accuracy,
    ),
    *_averaged_family(),
    _label(
        "quadratic_weighted_kappa",
        "Quadratic weighted kappa",
        "Agreement on an ordered scale beyond chance; a miss costs its distance squared (1 = perfect).",
        formulas.quadratic_weighted_kappa,
        ordinal=True,
        truth_needs="two_labels",
    ),
    Metric(
        "log_loss",
        "Log loss",
        False,
        "probabilities",
        "Mean negative log of the probability given to the true label; one column per label, rows sum to 1.",
        formulas.multiclass_log_loss,
        reads="label_probabilities",
    ),
    Metric(
        "log_loss_binary",
        "Log loss (binary)",
        False,
        "probabilities",
        "Mean negative log of the probability given to the true outcome; the column holds P(positive label).",
        formulas.binary_log_loss,
        reads="positive_probability",
        needs_positive_label=True,
        prediction_bounds=(0.0, 1.0),
    ),
    Metric(
        "roc_auc",
        "ROC AUC",
        True,
        "probabilities",
        "Area under the ROC curve: the chance a positive row is ranked above a negative one by the score.",
        formulas.binary_roc_auc,
        reads="positive_probability",
        needs_positive_label=True,
        truth_needs="two_labels",
    ),
    Metric(
        "roc_auc_ovr",
        "ROC AUC (one-vs-rest)",
        True,
        "probabilities",
        "Mean over labels of the ROC AUC of that label's probability column against all other labels.",
        formulas.one_vs_rest_roc_auc,
        reads="label_probabilities",
        truth_needs="every_label",
    ),
    _number("rmse", "RMSE", "Root mean squared error.", formulas.rmse),
    _number("mae", "MAE", "Mean absolute error.", formulas.mae),
    _number(
        "r2", "R²", "Coefficient of determination: 1 minus residual over total variance.", formulas.r2, True
    ),
    _number(
        "rmsle",
        "RMSLE",
        "Root mean squared error of log(1 + value); values must be above -1.",
        formulas.rmsle,
        prediction_bounds=(-1.0, None),
        lower_bound_open=True,
    ),
    _number(
        "mape", "MAPE", "Mean absolute error relative to the true value's size (0.1 = 10 %).", formulas.mape
    ),
    Metric(
        "map_at_k",
        "MAP@K",
        True,
        "label",
        "Mean average precision of the first K space-separated predictions against the relevant items.",
        formulas.mean_average_precision_at_k,
        reads="ranked_labels",
        needs_k=True,
    ),
]

METRICS: dict[str, Metric] = {metric.key: metric for metric in _ALL}
