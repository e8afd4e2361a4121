"""Every metric equals scikit-learn's value (or a reference implementation) on random data, per part."""

from __future__ import annotations

import math
import warnings
from functools import partial

import numpy as np
import pytest
from sklearn import metrics as sk

from workers.scoring import (
    METRICS,
    ScoringSpec,
    SubmissionFormat,
    SubmissionRejected,
    load_solution,
    score_file,
)

ANIMALS = ("cat", "dog", "emu", "fox", "gnu")  # sorted, so scikit-learn's label order is the engine's
SEEDS = (0, 1, 2)

LABEL_REFERENCES = {
    "accuracy": sk.accuracy_score,
    "balanced_accuracy": sk.balanced_accuracy_score,
    "quadratic_weighted_kappa": partial(sk.cohen_kappa_score, weights="quadratic", labels=list(ANIMALS)),
    **{
        f"{which}_{average}": partial(function, average=average)
        for which, function in (
            ("f1", sk.f1_score),
            ("precision", sk.precision_score),
            ("recall", sk.recall_score),
        )
        for average in ("macro", "micro", "weighted")
    },
}
BINARY_REFERENCES = {
    f"{which}_binary": partial(function, average="binary", pos_label="yes")
    for which, function in (
        ("f1", sk.f1_score),
        ("precision", sk.precision_score),
        ("recall", sk.recall_score),
    )
}
NUMBER_REFERENCES = {
    "rmse": sk.root_mean_squared_error,
    "mae": sk.mean_absolute_error,
    "r2": sk.r2_score,
    "rmsle": sk.root_mean_squared_log_error,
    "mape": sk.mean_absolute_percentage_error,
}


def make_spec(metric: str, target: str = "Label", **changes) -> ScoringSpec:
    return ScoringSpec(
        metric=metric,
        formats=(SubmissionFormat("id", target),),
        solution_id_column="id",
        solution_target_column="truth",
        **changes,
    )


def write_csv(path, header, columns) -> None:
    lines = [",".join(header)]
    lines += [",".join(map(str, row)) for row in zip(*columns, strict=True)]
    path.write_text("\n".join(lines) + "\n")


def score(tmp_path, spec, truth, submitted_header, submitted_columns, public):
    """Engine scores for a solution `truth` and a submission; ids are shuffled strings, to be found."""
    ids = [f"r{number}" for number in range(len(truth))]
    write_csv(
        tmp_path / "solution.csv",
        ["id", "truth", "Usage"],
        [ids, truth, np.where(public, "Public", "Private")],
    )
    order = np.random.default_rng(7).permutation(len(ids))
    columns = [np.asarray(ids)[order]] + [np.asarray(column)[order] for column in submitted_columns]
    write_csv(tmp_path / "submission.csv", ["id", *submitted_header], columns)
    solution = load_solution(tmp_path / "solution.csv", spec)
    return score_file(tmp_path / "submission.csv", solution, spec)


def reference_parts(function, truth, predicted, public):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(truth[public], predicted[public]), function(truth[~public], predicted[~public])


def assert_same(result, expected):
    public, private = expected
    assert math.isclose(result.public_score, public, rel_tol=1e-9, abs_tol=1e-12), (
        result.public_score,
        public,
    )
    assert math.isclose(result.private_score, private, rel_tol=1e-9, abs_tol=1e-12), (
        result.private_score,
        private,
    )


def noisy_labels(rng, truth, labels, right=0.6):
    return np.where(rng.random(len(truth)) < right, truth, rng.choice(labels, len(truth)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", sorted(LABEL_REFERENCES))
def test_label_metrics_equal_scikit_learn(tmp_path, metric, seed):
    rng = np.random.default_rng(seed)
    n = 400
    # "gnu" is never true, so averages over labels must still count it when it is predicted.
    truth = rng.choice(ANIMALS[:4], n, p=[0.5, 0.3, 0.15, 0.05])
    predicted = noisy_labels(rng, truth, ANIMALS)
    public = rng.random(n) < 0.3
    result = score(tmp_path, make_spec(metric, allowed_labels=ANIMALS), truth, ["Label"], [predicted], public)
    assert_same(result, reference_parts(LABEL_REFERENCES[metric], truth, predicted, public))


@pytest.mark.parametrize("metric", ["f1_macro", "accuracy", "recall_weighted", "balanced_accuracy"])
def test_unrestricted_labels_count_labels_only_the_submission_uses(tmp_path, metric):
    rng = np.random.default_rng(3)
    truth = rng.choice(["1", "2", "10"], 300)
    predicted = noisy_labels(rng, truth, ["1", "2", "10", "zebra", "7"])
    public = rng.random(300) < 0.5
    result = score(tmp_path, make_spec(metric), truth, ["Label"], [predicted], public)
    assert_same(result, reference_parts(LABEL_REFERENCES[metric], truth, predicted, public))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", sorted(BINARY_REFERENCES))
def test_binary_label_metrics_equal_scikit_learn(tmp_path, metric, seed):
    rng = np.random.default_rng(seed)
    truth = rng.choice(["yes", "no"], 300, p=[0.3, 0.7])
    predicted = noisy_labels(rng, truth, ["yes", "no"], right=0.7)
    public = rng.random(300) < 0.3
    spec = make_spec(metric, allowed_labels=("no", "yes"), positive_label="yes")
    result = score(tmp_path, spec, truth, ["Label"], [predicted], public)
    assert_same(result, reference_parts(BINARY_REFERENCES[metric], truth, predicted, public))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", sorted(NUMBER_REFERENCES))
def test_regression_metrics_equal_scikit_learn(tmp_path, metric, seed):
    rng = np.random.default_rng(seed)
    truth = np.round(rng.lognormal(2, 1, 300), 3)
    predicted = np.abs(truth * rng.normal(1, 0.2, 300))
    public = rng.random(300) < 0.3
    result = score(
        tmp_path,
        make_spec(metric, target="SalePrice"),
        truth,
        ["SalePrice"],
        [[repr(float(value)) for value in predicted]],
        public,
    )
    assert_same(result, reference_parts(NUMBER_REFERENCES[metric], truth, predicted, public))


def probability_rows(rng, count, labels):
    return rng.dirichlet(np.ones(len(labels)) * 0.7, count)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", ["log_loss", "roc_auc_ovr"])
def test_multiclass_probability_metrics_equal_scikit_learn(tmp_path, metric, seed):
    rng = np.random.default_rng(seed)
    n = 400
    truth = rng.choice(ANIMALS, n)
    truth[:10] = ANIMALS * 2  # every label in both parts, as the one-vs-rest AUC needs
    public = rng.random(n) < 0.4
    public[:5], public[5:10] = True, False
    probabilities = probability_rows(rng, n, ANIMALS)
    # The file's columns come in another order than the labels: they are matched by name.
    shuffled = [3, 0, 4, 1, 2]
    header = [ANIMALS[position] for position in shuffled]
    columns = [[repr(float(value)) for value in probabilities[:, position]] for position in shuffled]
    result = score(tmp_path, make_spec(metric, allowed_labels=ANIMALS), truth, header, columns, public)
    if metric == "log_loss":
        reference = partial(sk.log_loss, labels=list(ANIMALS))
    else:
        reference = partial(sk.roc_auc_score, multi_class="ovr", labels=list(ANIMALS))
    assert_same(result, reference_parts(reference, truth, probabilities, public))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", ["log_loss_binary", "roc_auc"])
def test_binary_probability_metrics_equal_scikit_learn(tmp_path, metric, seed):
    rng = np.random.default_rng(seed)
    truth = rng.choice(["0", "1"], 300)
    truth[:4] = ["0", "1", "0", "1"]
    public = rng.random(300) < 0.3
    public[:2], public[2:4] = True, False
    probability = np.clip(np.where(truth == "1", 0.65, 0.35) + rng.normal(0, 0.25, 300), 0, 1)
    spec = make_spec(metric, target="target", allowed_labels=("0", "1"), positive_label="1")
    result = score(tmp_path, spec, truth, ["target"], [[repr(float(p)) for p in probability]], public)
    reference = sk.log_loss if metric == "log_loss_binary" else sk.roc_auc_score
    assert_same(result, reference_parts(reference, truth == "1", probability, public))


def reference_apk(actual, predicted, k):
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


@pytest.mark.parametrize("seed", SEEDS)
def test_map_at_k_equals_the_reference_apk(tmp_path, seed):
    rng = np.random.default_rng(seed)
    items = [f"i{number}" for number in range(12)]
    actual = [list(rng.choice(items, rng.integers(1, 5), replace=False)) for _ in range(200)]
    predicted = [list(rng.choice(items, rng.integers(0, 8))) for _ in range(200)]  # repeats allowed
    public = rng.random(200) < 0.3
    spec = make_spec("map_at_k", target="Predicted", k=5)
    result = score(
        tmp_path,
        spec,
        [" ".join(a) for a in actual],
        ["Predicted"],
        [[" ".join(p) for p in predicted]],
        public,
    )
    scores = np.array([reference_apk(a, p, 5) for a, p in zip(actual, predicted, strict=True)])
    assert_same(result, (scores[public].mean(), scores[~public].mean()))


def test_map_at_k_matches_a_hand_computed_value(tmp_path):
    # Row 1: hits at ranks 1 and 3 of relevant {a, b}: (1/1 + 2/3) / 2. Row 2: nothing relevant found: 0.
    spec = make_spec("map_at_k", target="Predicted", k=3)
    result = score(tmp_path, spec, ["a b", "c"], ["Predicted"], [["a x b", "y z"]], np.array([True, True]))
    assert result.public_score == pytest.approx((1 + 2 / 3) / 2 / 2)
    assert result.private_score is None


def test_every_metric_is_tested_and_described():
    tested = set(LABEL_REFERENCES) | set(BINARY_REFERENCES) | set(NUMBER_REFERENCES)
    tested |= {"log_loss", "roc_auc_ovr", "log_loss_binary", "roc_auc", "map_at_k"}
    assert tested == set(METRICS)
    for metric in METRICS.values():
        assert metric.description.endswith(".") and "\n" not in metric.description
        assert metric.prediction in ("label", "number", "probabilities")


def test_extra_metrics_are_scored_beside_the_main_one(tmp_path):
    rng = np.random.default_rng(5)
    truth = rng.choice(ANIMALS, 200)
    predicted = noisy_labels(rng, truth, ANIMALS)
    public = rng.random(200) < 0.5
    spec = make_spec("accuracy", allowed_labels=ANIMALS, extra_metrics=("f1_macro", "balanced_accuracy"))
    result = score(tmp_path, spec, truth, ["Label"], [predicted], public)
    assert set(result.extra_scores) == {"f1_macro", "balanced_accuracy"}
    expected = reference_parts(partial(sk.f1_score, average="macro"), truth, predicted, public)
    assert result.extra_scores["f1_macro"]["public"] == pytest.approx(expected[0])
    assert result.extra_scores["f1_macro"]["private"] == pytest.approx(expected[1])


def test_label_metrics_beside_multiclass_probabilities_use_the_most_probable_label(tmp_path):
    rng = np.random.default_rng(6)
    truth = rng.choice(ANIMALS, 200)
    probabilities = probability_rows(rng, 200, ANIMALS)
    public = rng.random(200) < 0.5
    spec = make_spec("log_loss", allowed_labels=ANIMALS, extra_metrics=("accuracy",))
    columns = [[repr(float(v)) for v in probabilities[:, position]] for position in range(5)]
    result = score(tmp_path, spec, truth, list(ANIMALS), columns, public)
    most_probable = np.asarray(ANIMALS)[probabilities.argmax(axis=1)]
    expected = reference_parts(sk.accuracy_score, truth, most_probable, public)
    assert result.extra_scores["accuracy"] == {"public": expected[0], "private": expected[1]}


def test_thousands_of_invented_labels_are_scored_like_scikit_learn(tmp_path):
    rng = np.random.default_rng(8)
    truth = rng.choice(ANIMALS, 20_000)
    predicted = np.where(rng.random(20_000) < 0.5, truth, [f"guess{n}" for n in range(20_000)])
    public = rng.random(20_000) < 0.5
    result = score(tmp_path, make_spec("f1_macro"), truth, ["Label"], [predicted], public)
    assert_same(result, reference_parts(LABEL_REFERENCES["f1_macro"], truth, predicted, public))


@pytest.mark.parametrize(
    ("items", "k", "separator"),
    [
        ([f"i{number}" for number in range(12)], 20, " "),  # long lists: repeats found by sorting each row
        (["café", "naïve", "über", "x", "y", "z"], 3, " "),  # not ASCII: split in Python
        ([f"i{number}" for number in range(8)], 4, "\x1c"),  # a separator only Python's split knows
        ([f"i{number}" for number in range(8)], 4, "\t  "),
    ],
)
def test_map_at_k_equals_the_reference_apk_however_the_lists_are_split(tmp_path, items, k, separator):
    rng = np.random.default_rng(k)
    actual = [list(rng.choice(items, rng.integers(0, 5), replace=False)) for _ in range(300)]
    predicted = [list(rng.choice(items, rng.integers(0, 2 * k))) for _ in range(300)]  # repeats allowed
    public = rng.random(300) < 0.3
    spec = make_spec("map_at_k", target="Predicted", k=k)
    result = score(
        tmp_path,
        spec,
        [" ".join(a) for a in actual],
        ["Predicted"],
        [[separator.join(p) for p in predicted]],
        public,
    )
    scores = np.array([reference_apk(a, p, k) for a, p in zip(actual, predicted, strict=True)])
    assert_same(result, (scores[public].mean(), scores[~public].mean()))


def test_a_score_that_overflows_to_infinity_is_rejected_with_the_reason(tmp_path):
    truth = np.zeros(20)
    predicted = np.full(20, 1e300)  # finite, but its square is not: RMSE comes out infinite
    public = np.arange(20) % 2 == 0

    with pytest.raises(SubmissionRejected, match="came out as NaN or infinite"):
        score(tmp_path, make_spec("rmse"), truth, ["Label"], [predicted], public)
