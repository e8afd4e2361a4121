"""MAP@K read from a file equals the reference apk, however the guesses are written.

The engine splits the usual file (printable ASCII, one space between guesses) on its bytes, in slices of rows
over the cores, and anything else by pyarrow or Python: property tests draw both kinds of text, rows of equal
and unequal lengths (the matrix is a reshape when every row has as many guesses), repeats, unknown items and
empty cells, and a large file covers the slices.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.references import reference_apk
from tests.workers.scoring.test_metric_values import make_spec, score

TOLERANCE = 1e-12
PROPERTIES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Separators str.split() splits at; the first is the usual file's.
SEPARATORS = [" ", "  ", "\t", " \t ", "\x1c", "\x0b"]


def expected_parts(actual, predicted, k, public):
    scores = np.array([reference_apk(a, p, k) for a, p in zip(actual, predicted, strict=True)])
    return scores[public].mean(), scores[~public].mean()


def assert_within(result, expected):
    assert abs(result.public_score - expected[0]) <= TOLERANCE, (result.public_score, expected[0])
    assert abs(result.private_score - expected[1]) <= TOLERANCE, (result.private_score, expected[1])


@st.composite
def ranked_cases(draw):
    names = st.text("abcxyz019_-.", min_size=1, max_size=10)
    items = draw(st.lists(names, min_size=1, max_size=12, unique=True))
    unknown = draw(st.lists(names.filter(lambda name: name not in items), max_size=3))
    size = draw(st.integers(2, 40))
    k = draw(st.integers(1, 8))
    actual = [draw(st.lists(st.sampled_from(items), max_size=4, unique=True)) for _ in range(size)]
    guess = st.sampled_from(items + unknown)
    if draw(st.booleans()):  # every row as many guesses: fewer than, as many as or more than k
        length = draw(st.integers(1, 10))
        predicted = [draw(st.lists(guess, min_size=length, max_size=length)) for _ in range(size)]
    else:
        predicted = [draw(st.lists(guess, max_size=10)) for _ in range(size)]
    if draw(st.booleans()):
        texts = [" ".join(row) for row in predicted]
    else:
        texts = [
            draw(st.sampled_from(["", " ", "\t"]))
            + draw(st.sampled_from(SEPARATORS)).join(row)
            + draw(st.sampled_from(["", " ", "  "]))
            for row in predicted
        ]
    return actual, predicted, texts, k


@PROPERTIES
@given(ranked_cases())
def test_map_at_k_equals_the_reference_apk_for_any_text(case):
    actual, predicted, texts, k = case
    public = np.arange(len(actual)) % 2 == 0
    spec = make_spec("map_at_k", target="Predicted", k=k)
    with tempfile.TemporaryDirectory() as directory:
        result = score(Path(directory), spec, [" ".join(a) for a in actual], ["Predicted"], [texts], public)
    assert_within(result, expected_parts(actual, predicted, k, public))


def test_a_large_file_split_in_slices_equals_the_reference_apk(tmp_path):
    rng = np.random.default_rng(3)
    rows = 120_000  # enough for a slice of rows per thread
    items = np.array([f"item{number}" for number in range(300)])  # int16 codes
    actual = [list(rng.choice(items, rng.integers(1, 4), replace=False)) for _ in range(rows)]
    predicted = [list(rng.choice(items, 5)) for _ in range(rows)]
    predicted[rows // 2] = predicted[rows // 2][:2]  # one short row: not every row has 5 guesses
    public = rng.random(rows) < 0.3
    spec = make_spec("map_at_k", target="Predicted", k=5)
    texts = [" ".join(row) for row in predicted]
    result = score(tmp_path, spec, [" ".join(a) for a in actual], ["Predicted"], [texts], public)
    assert_within(result, expected_parts(actual, predicted, 5, public))
