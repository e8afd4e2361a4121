"""The insight score_file() computes beside the score: scikit-learn's figures, on the Public rows only."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from sklearn import metrics as sk
from sklearn.calibration import calibration_curve

from tests.workers.scoring.helpers import Files
from workers.scoring import ScoringSpec, SubmissionFormat, SubmissionRejected, load_solution, score_file
from workers.scoring.insight import MAX_MATRIX_LABELS, OTHER_LABEL

ANIMALS = ("cat", "dog", "emu", "fox", "gnu")


def spec_for(metric: str, **changes) -> ScoringSpec:
    return ScoringSpec(
        metric=metric,
        formats=(SubmissionFormat("id", "Label"),),
        solution_id_column="id",
        solution_target_column="truth",
        **changes,
    )


class Case:
    """A solution of ``truths`` (every third row Public) and submissions of chosen predictions."""

    def __init__(self, files: Files, spec: ScoringSpec, truths: list[object]) -> None:
        self.files = files
        self.spec = spec
        self.truths = truths
        self.ids = [str(number) for number in range(len(truths))]
        self.public = [number % 3 == 0 for number in range(len(truths))]
        usage = ["Public" if public else "Private" for public in self.public]
        path = files.csv(["id", "truth", "Usage"], zip(self.ids, truths, usage, strict=True), "solution.csv")
        self.solution = load_solution(path, spec)

    def score(self, predictions: list[object], *, insight: bool = True, shuffle: bool = True):
        rows = list(zip(self.ids, predictions, strict=True))
        if shuffle:
            random.Random(len(rows)).shuffle(rows)
        return score_file(self.files.csv(["id", "Label"], rows), self.solution, self.spec, insight=insight)

    def public_only(self, values: list[object]) -> list[object]:
        return [value for value, public in zip(values, self.public, strict=True) if public]


def noisy_labels(truths: list[str], seed: int, labels: tuple[str, ...] = ANIMALS) -> list[str]:
    rng = random.Random(seed)
    return [truth if rng.random() < 0.6 else rng.choice(labels) for truth in truths]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_classification_insight_matches_scikit_learn_on_the_public_rows(files: Files, seed: int) -> None:
    rng = random.Random(seed)
    truths = [rng.choice(ANIMALS) for _ in range(900)]
    case = Case(files, spec_for("accuracy", allowed_labels=ANIMALS), truths)
    predictions = noisy_labels(truths, seed)
    insight = case.score(predictions).insight

    true_public, predicted_public = case.public_only(truths), case.public_only(predictions)
    labels = sorted(set(true_public) | set(predicted_public))
    assert insight["kind"] == "classification"
    assert insight["rows"] == len(true_public)
    assert insight["labels"] == labels
    assert (
        insight["confusion_matrix"]
        == sk.confusion_matrix(true_public, predicted_public, labels=labels).tolist()
    )
    report = sk.classification_report(
        true_public, predicted_public, labels=labels, output_dict=True, zero_division=0
    )
    for row in insight["per_label"]:
        expected = report[row["label"]]
        assert row["precision"] == pytest.approx(expected["precision"], abs=1e-12)
        assert row["recall"] == pytest.approx(expected["recall"], abs=1e-12)
        assert row["f1"] == pytest.approx(expected["f1-score"], abs=1e-12)
        assert row["support"] == expected["support"]


def test_a_label_nobody_predicts_or_holds_is_left_out_and_an_unpredicted_one_has_zero_precision(
    files: Files,
) -> None:
    truths = ["cat", "dog", "emu", "dog"] * 30  # Public rows (every third): 10 cats, 20 dogs, 10 emus
    case = Case(files, spec_for("accuracy", allowed_labels=ANIMALS), truths)
    insight = case.score(["cat"] * 120).insight
    assert insight["labels"] == ["cat", "dog", "emu"]  # fox and gnu occur nowhere
    by_label = {row["label"]: row for row in insight["per_label"]}
    assert by_label["dog"] == {"label": "dog", "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 20}
    assert by_label["cat"]["precision"] == 0.25 and by_label["cat"]["recall"] == 1.0
    assert insight["confusion_matrix"] == [[10, 0, 0], [20, 0, 0], [10, 0, 0]]


def test_labels_a_file_invents_share_one_column(files: Files) -> None:
    truths = ["cat", "dog"] * 30  # no allowed labels: an open vocabulary
    case = Case(files, spec_for("accuracy"), truths)
    predictions = [f"made-up-{number}" if number % 2 else truth for number, truth in enumerate(truths)]
    insight = case.score(predictions).insight
    # Public rows alternate cat (even ids, kept) and dog (odd ids, every one made up).
    assert insight["labels"] == ["cat", "dog", OTHER_LABEL]
    assert insight["confusion_matrix"] == [[10, 0, 0], [0, 0, 10], [0, 0, 0]]


def test_many_labels_keep_the_table_of_the_most_frequent_and_no_matrix(files: Files) -> None:
    # 61 labels, not a multiple of 3: every label has Public rows.
    labels = tuple(f"L{number:03d}" for number in range(MAX_MATRIX_LABELS + 11))
    truths = [labels[number % len(labels)] for number in range(len(labels) * 9)]
    case = Case(files, spec_for("accuracy", allowed_labels=labels), truths)
    insight = case.score(truths).insight
    assert insight["confusion_matrix"] is None and insight["labels"] is None
    assert len(insight["per_label"]) == len(labels)
    assert all(row["f1"] == 1.0 for row in insight["per_label"])


@pytest.mark.parametrize(
    "metric, truths, predictions",
    [
        ("accuracy", ["cat", "dog", "emu", "dog"] * 75, None),
        ("rmse", [float(number % 37) for number in range(300)], None),
        ("roc_auc", ["yes", "no", "no", "yes"] * 75, None),
    ],
)
def test_changing_only_private_predictions_leaves_the_insight_unchanged(
    files: Files, metric: str, truths: list[object], predictions: None
) -> None:
    options = {"positive_label": "yes"} if metric == "roc_auc" else {}
    case = Case(files, spec_for(metric, **options), truths)
    rng = random.Random(7)
    if metric == "accuracy":
        first = noisy_labels(truths, 1, ("cat", "dog", "emu"))
        second = [
            value if public else rng.choice(("cat", "dog", "emu"))
            for value, public in zip(first, case.public, strict=True)
        ]
    elif metric == "rmse":
        first = [value + rng.gauss(0, 3) for value in truths]
        second = [
            value if public else rng.gauss(50, 20) for value, public in zip(first, case.public, strict=True)
        ]
    else:
        first = [round(rng.random(), 6) for _ in truths]
        second = [
            value if public else round(rng.random(), 6)
            for value, public in zip(first, case.public, strict=True)
        ]
    one, other = case.score(first), case.score(second)
    assert one.private_score != other.private_score  # the Private rows did change
    assert one.public_score == other.public_score
    assert one.insight == other.insight


def test_regression_insight_histogram_and_deciles(files: Files) -> None:
    rng = np.random.default_rng(3)
    truths = [float(value) for value in rng.normal(100, 30, 3000).round(2)]
    case = Case(files, spec_for("rmse"), truths)
    predictions = [round(value + 0.1 * (value - 100) + float(rng.normal(0, 5)), 3) for value in truths]
    insight = case.score(predictions).insight
    assert insight["kind"] == "regression"
    true_public = np.array(case.public_only(truths))
    residuals = np.array(case.public_only(predictions)) - true_public
    histogram = insight["residuals"]
    assert sum(histogram["counts"]) + histogram["below"] + histogram["above"] == len(residuals)
    assert histogram["mean_error"] == pytest.approx(residuals.mean())
    expected_counts, expected_edges = np.histogram(
        residuals, bins=20, range=tuple(np.quantile(residuals, [0.01, 0.99]))
    )
    assert histogram["counts"] == expected_counts.tolist()
    assert histogram["edges"] == pytest.approx(expected_edges.tolist())
    deciles = insight["by_true_decile"]
    assert [row["decile"] for row in deciles] == list(range(1, 11))
    assert sum(row["count"] for row in deciles) == len(true_public)
    # The model over-predicts large values and under-predicts small ones: the deciles show the slope.
    assert deciles[0]["mean_error"] < -3 and deciles[-1]["mean_error"] > 3
    edges = np.quantile(true_public, np.linspace(0, 1, 11))
    top = true_public >= edges[9]
    assert deciles[-1]["mean_error"] == pytest.approx(residuals[top].mean())


def test_binary_probability_insight_calibration_matches_scikit_learn(files: Files) -> None:
    rng = random.Random(5)
    truths = [rng.choice(("yes", "no")) for _ in range(1500)]
    case = Case(files, spec_for("roc_auc", positive_label="yes"), truths)
    predictions = [
        round(min(1.0, max(0.0, (0.7 if truth == "yes" else 0.3) + rng.gauss(0, 0.25))), 4)
        for truth in truths
    ]
    insight = case.score(predictions).insight
    assert insight["kind"] == "probabilities"
    true_public = np.array(case.public_only(truths)) == "yes"
    probability_public = np.array(case.public_only(predictions))
    fraction_true, mean_predicted = calibration_curve(true_public, probability_public, n_bins=10)
    bins = insight["calibration"]["bins"]
    assert [row["fraction_true"] for row in bins] == pytest.approx(fraction_true.tolist())
    assert [row["mean_predicted"] for row in bins] == pytest.approx(mean_predicted.tolist())
    labels = ["no", "yes"]
    predicted_labels = np.where(probability_public >= 0.5, "yes", "no")
    true_labels = np.where(true_public, "yes", "no")
    assert insight["labels"] == labels
    assert (
        insight["confusion_matrix"]
        == sk.confusion_matrix(true_labels, predicted_labels, labels=labels).tolist()
    )


def test_roc_auc_scores_outside_zero_one_get_no_calibration(files: Files) -> None:
    truths = ["yes", "no"] * 60
    case = Case(files, spec_for("roc_auc", positive_label="yes"), truths)
    insight = case.score([5.0 if truth == "yes" else -3.0 for truth in truths]).insight
    assert insight == {"kind": "probabilities", "rows": 40}


def test_multiclass_probabilities_give_the_likeliest_label_and_its_calibration(files: Files) -> None:
    rng = np.random.default_rng(11)
    truths = [ANIMALS[number % 5] for number in range(600)]
    spec = ScoringSpec(
        metric="log_loss",
        formats=(SubmissionFormat("id", "Label"),),
        solution_id_column="id",
        solution_target_column="truth",
        allowed_labels=ANIMALS,
    )
    solution = load_solution(
        files.csv(
            ["id", "truth", "Usage"],
            [[n, t, "Public" if n % 3 == 0 else "Private"] for n, t in enumerate(truths)],
        ),
        spec,
    )
    matrix = rng.dirichlet(np.ones(5), size=600)
    for row, truth in enumerate(truths):
        matrix[row, ANIMALS.index(truth)] += 0.5
    matrix /= matrix.sum(axis=1, keepdims=True)
    rows = [[n, *(f"{value:.6f}" for value in matrix[n])] for n in range(600)]
    result = score_file(files.csv(["id", *ANIMALS], rows), solution, spec, insight=True)
    insight = result.insight
    public = [n for n in range(600) if n % 3 == 0]
    true_public = [truths[n] for n in public]
    top_public = [ANIMALS[int(np.argmax([float(f"{v:.6f}") for v in matrix[n]]))] for n in public]
    assert insight["kind"] == "probabilities"
    assert (
        insight["confusion_matrix"]
        == sk.confusion_matrix(true_public, top_public, labels=list(ANIMALS)).tolist()
    )
    assert sum(row["count"] for row in insight["calibration"]["bins"]) == len(public)


def test_without_insight_asked_for_there_is_none_and_the_score_is_the_same(files: Files) -> None:
    truths = ["cat", "dog"] * 30
    case = Case(files, spec_for("accuracy"), truths)
    predictions = noisy_labels(truths, 4, ("cat", "dog"))
    plain, described = case.score(predictions, insight=False), case.score(predictions)
    assert plain.insight is None
    assert plain.public_score == described.public_score and plain.private_score == described.private_score


def test_an_insight_is_plain_json(files: Files) -> None:
    truths = ["cat", "dog", "emu"] * 20
    case = Case(files, spec_for("accuracy"), truths)
    insight = case.score(noisy_labels(truths, 9, ("cat", "dog", "emu"))).insight
    assert json.loads(json.dumps(insight, allow_nan=False)) == insight


def test_probabilities_on_the_bin_edges_fall_in_scikit_learns_bins(files: Files) -> None:
    edges = [round(step / 10, 1) for step in range(11)]  # 0.0, 0.1, ... 1.0, each exactly on an edge
    probabilities = [edges[number % 11] for number in range(660)]
    truths = ["yes" if number % 7 < 3 else "no" for number in range(660)]
    case = Case(files, spec_for("log_loss_binary", positive_label="yes"), truths)
    insight = case.score(probabilities).insight
    fraction_true, mean_predicted = calibration_curve(
        np.array(case.public_only(truths)) == "yes", np.array(case.public_only(probabilities)), n_bins=10
    )
    bins = insight["calibration"]["bins"]
    assert [row["mean_predicted"] for row in bins] == pytest.approx(mean_predicted.tolist())
    assert [row["fraction_true"] for row in bins] == pytest.approx(fraction_true.tolist())


def test_predictions_near_the_float_limit_give_an_insight_without_infinities(files: Files) -> None:
    truths = [float(number) for number in range(90)]
    case = Case(files, spec_for("mae"), truths)  # MAE stays finite here; its residuals span 2e306
    huge = ["1e306" if number % 2 else "-1e306" for number in range(90)]
    result = case.score(huge)
    insight = result.insight
    assert insight["kind"] == "regression"
    assert json.loads(json.dumps(insight, allow_nan=False)) == insight  # storable as PostgreSQL JSON
    assert insight["residuals"]["counts"] == [] or sum(insight["residuals"]["counts"]) <= 30


def test_predictions_whose_score_overflows_are_refused_before_any_insight(files: Files) -> None:
    truths = [float(number) for number in range(90)]
    case = Case(files, spec_for("rmse"), truths)
    huge = ["1.7e308" if number % 2 else "-1.7e308" for number in range(90)]
    with pytest.raises(SubmissionRejected, match="NaN or infinite"):
        case.score(huge)


def test_a_positive_label_listed_first_gets_the_same_matrix(files: Files) -> None:
    truths = ["yes", "no", "no", "yes"] * 30
    probabilities = [0.8 if (number % 5) else 0.3 for number in range(120)]
    insights = []
    for allowed in (("no", "yes"), ("yes", "no")):  # the positive label's code is 1, then 0
        case = Case(files, spec_for("roc_auc", positive_label="yes", allowed_labels=allowed), truths)
        insights.append(case.score(probabilities).insight)
        true_public = case.public_only(truths)
        predicted_public = ["yes" if p >= 0.5 else "no" for p in case.public_only(probabilities)]
        expected = sk.confusion_matrix(true_public, predicted_public, labels=list(allowed)).tolist()
        assert insights[-1]["labels"] == list(allowed) and insights[-1]["confusion_matrix"] == expected
    assert insights[0]["calibration"] == insights[1]["calibration"]
