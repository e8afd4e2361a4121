"""Both ROC AUC metrics, computed by the engine from ranks, equal scikit-learn's roc_auc_score.

Property tests draw the inputs that matter for ranks: ties (probabilities with 1-3 decimals, all scores
equal), a single positive or a single negative, scores of both signs and any size, -0.0 beside 0.0.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import roc_auc_score

from tests.workers.scoring.test_metric_values import ANIMALS, assert_same, make_spec, reference_parts, score
from workers.scoring.formulas import LabelContext, binary_roc_auc, one_vs_rest_roc_auc, roc_auc

ROOT = Path(__file__).resolve().parents[3]
TOLERANCE = 1e-12
PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sklearn_auc(truth, scores, **options) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UndefinedMetricWarning for one class, which returns NaN
        return float(roc_auc_score(truth, scores, **options))


def decimals(places: int) -> st.SearchStrategy[float]:
    """Probabilities as a file gives them with ``places`` decimals: few distinct values, many ties."""
    return st.integers(0, 10**places).map(lambda units: float(f"{units / 10**places:.{places}f}"))


any_finite = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True)
SCORE_KINDS = (  # one kind per case, so that ties are common
    decimals(1),
    decimals(2),
    decimals(3),
    st.floats(0, 1),
    any_finite,
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 5e-324, -5e-324, 1.7e308, -1.7e308]),
)


@st.composite
def binary_cases(draw):
    """(truth as the engine holds it: int8 0/1, scores), the scores of one kind so that ties are common."""
    size = draw(st.integers(2, 300))
    element = draw(st.sampled_from(SCORE_KINDS))
    scores = draw(hnp.arrays(np.float64, size, elements=element))
    shape = draw(st.sampled_from(["random", "single positive", "single negative", "all tied"]))
    if shape == "all tied":
        scores[:] = scores[0]
    truth = draw(hnp.arrays(np.int8, size, elements=st.integers(0, 1)))
    if shape == "single positive":
        truth[:] = 0
        truth[draw(st.integers(0, size - 1))] = 1
    elif shape == "single negative":
        truth[:] = 1
        truth[draw(st.integers(0, size - 1))] = 0
    return truth, scores


@PROPERTIES
@given(binary_cases())
def test_binary_auc_equals_scikit_learn(case):
    truth, scores = case
    expected = sklearn_auc(truth, scores)
    got = binary_roc_auc(truth, scores.copy(), LabelContext(code_count=2, positive_code=1))
    if math.isnan(expected):  # one class only, when "random" drew a single class
        assert math.isnan(got)
    else:
        assert abs(got - expected) <= TOLERANCE, (got, expected)


@PROPERTIES
@given(
    st.integers(1, 200),
    st.sampled_from([0, 1]),
    hnp.arrays(np.float64, 200, elements=any_finite),
)
def test_one_class_only_gives_nan_as_scikit_learn_does(size, only, scores):
    truth = np.full(size, only, dtype=np.int8)
    assert math.isnan(sklearn_auc(truth, scores[:size]))
    assert math.isnan(binary_roc_auc(truth, scores[:size], LabelContext(code_count=2, positive_code=1)))


@st.composite
def one_vs_rest_cases(draw):
    """(truth codes with every label present, rows of probabilities summing to 1 as the engine leaves them)."""
    labels = draw(st.integers(3, 6))
    size = draw(st.integers(labels, 200))
    truth = draw(hnp.arrays(np.int32, size, elements=st.integers(0, labels - 1)))
    truth[:labels] = np.arange(labels)  # the solution check makes every label occur in every part
    places = draw(st.sampled_from([1, 2, 3, None]))
    if places is None:
        weights = draw(hnp.arrays(np.float64, (size, labels), elements=st.floats(0, 1)))
    else:
        weights = draw(hnp.arrays(np.float64, (size, labels), elements=decimals(places)))
    if draw(st.booleans()):
        weights[:] = weights[0]  # every row alike: each column all tied
    weights[weights.sum(axis=1) == 0, 0] = 1.0
    probabilities = weights / weights.sum(axis=1, keepdims=True)  # what read_probability_rows does
    if draw(st.booleans()):
        probabilities = np.asfortranarray(probabilities)  # the engine's layout; both must work
    return truth, probabilities


@PROPERTIES
@given(one_vs_rest_cases())
def test_one_vs_rest_auc_equals_scikit_learns_macro_average(case):
    truth, probabilities = case
    labels = probabilities.shape[1]
    expected = sklearn_auc(truth, probabilities, multi_class="ovr", average="macro", labels=np.arange(labels))
    got = one_vs_rest_roc_auc(truth, probabilities, LabelContext(code_count=labels))
    assert abs(got - expected) <= TOLERANCE, (got, expected)


def test_large_inputs_with_many_ties_equal_scikit_learn():
    # Large enough for the tie counting by runs of equal keys as well as by binary searches.
    rng = np.random.default_rng(11)
    truth = (rng.random(200_000) < 0.3).astype(np.int8)
    for places in (1, 3, 6, None):
        noisy = np.where(truth == 1, 0.6, 0.4) + rng.normal(0, 0.2, len(truth))
        scores = noisy if places is None else np.round(noisy, places)
        assert abs(roc_auc(scores, truth.view(np.uint8)) - sklearn_auc(truth, scores)) <= TOLERANCE


@pytest.mark.parametrize("places", [1, 2, 3])
def test_tied_probabilities_score_like_scikit_learn_through_a_file(tmp_path, places):
    rng = np.random.default_rng(places)
    truth = rng.choice(["0", "1"], 400, p=[0.8, 0.2])
    public = rng.random(400) < 0.3
    truth[public] = "0"
    truth[np.flatnonzero(public)[0]] = "1"  # the Public part has a single positive
    probability = np.round(np.clip(np.where(truth == "1", 0.6, 0.4) + rng.normal(0, 0.2, 400), 0, 1), places)
    spec = make_spec("roc_auc", target="target", allowed_labels=("0", "1"), positive_label="1")
    text = [f"{value:.{places}f}" for value in probability]
    printed = np.array([float(value) for value in text])
    result = score(tmp_path, spec, truth, ["target"], [text], public)
    assert_same(result, reference_parts(roc_auc_score, truth == "1", printed, public))


@pytest.mark.parametrize("places", [1, 2, 3])
def test_tied_probability_rows_score_like_scikit_learn_through_a_file(tmp_path, places):
    rng = np.random.default_rng(places)
    truth = rng.choice(ANIMALS, 500)
    truth[:10] = ANIMALS * 2
    public = rng.random(500) < 0.4
    public[:5], public[5:10] = True, False
    # Whole units of 10**-places per label, so that the printed rows sum to 1 and many values tie.
    units = np.array([rng.multinomial(10**places, shares) for shares in rng.dirichlet(np.ones(5), 500)])
    columns = [[f"{value / 10**places:.{places}f}" for value in units[:, code]] for code in range(5)]
    printed = np.array([[float(value) for value in column] for column in columns]).T
    spec = make_spec("roc_auc_ovr", allowed_labels=ANIMALS)
    result = score(tmp_path, spec, truth, list(ANIMALS), columns, public)
    rescaled = printed / printed.sum(axis=1, keepdims=True)  # the engine rescales rows to sum to 1
    reference = lambda t, p: roc_auc_score(t, p, multi_class="ovr", labels=list(ANIMALS))  # noqa: E731
    assert_same(result, reference_parts(reference, truth, rescaled, public))


def test_scoring_both_aucs_loads_no_scikit_learn(tmp_path):
    """The engine ranks the scores itself: a worker scoring AUC never imports scikit-learn."""
    code = f"""
import sys
from pathlib import Path
import numpy as np
from workers.scoring import ScoringSpec, SubmissionFormat, load_solution, score_file

directory = Path({str(tmp_path)!r})
rng = np.random.default_rng(0)

def write(name, header, rows):
    path = directory / name
    path.write_text("\\n".join([header] + [",".join(map(str, row)) for row in rows]) + "\\n")
    return path

def spec(metric, target, **fields):
    return ScoringSpec(metric=metric, formats=(SubmissionFormat("id", target),), solution_id_column="id",
                       solution_target_column="truth", **fields)

usage = ["Public", "Private"] * 50
binary = spec("roc_auc", "target", allowed_labels=("0", "1"), positive_label="1")
solution = write("binary.csv", "id,truth,Usage", [(i, i % 4 // 2, usage[i]) for i in range(100)])
submission = write("binary-sub.csv", "id,target", [(i, round(rng.random(), 2)) for i in range(100)])
score_file(submission, load_solution(solution, binary), binary)
labels = ("a", "b", "c")
multi = spec("roc_auc_ovr", "target", allowed_labels=labels)
solution = write("multi.csv", "id,truth,Usage", [(i, labels[i % 6 // 2], usage[i]) for i in range(100)])
shares = np.round(rng.dirichlet(np.ones(3), 100), 3)
rows = [(i, a, b, round(1 - a - b, 3)) for i, (a, b, _) in enumerate(shares)]
submission = write("multi-sub.csv", "id,a,b,c", rows)
score_file(submission, load_solution(solution, multi), multi)
loaded = [name for name in sys.modules if name.split(".")[0] == "sklearn"]
assert not loaded, loaded
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
