"""Numbers, probabilities and ranked lists are checked for what their metric can score."""

from __future__ import annotations

import math

import pytest

from tests.workers.scoring.helpers import csv_text
from workers.scoring import ScoringSpec, SubmissionFormat, SubmissionRejected, load_solution, score_file

LABELS = ("cat", "dog", "emu")


def challenge(files, metric: str, truth: list[str], target: str = "y", **changes):
    spec = ScoringSpec(
        metric=metric,
        formats=(SubmissionFormat("id", target),),
        solution_id_column="id",
        solution_target_column="y",
        **changes,
    )
    rows = [[str(n), value, "Public" if n % 2 else "Private"] for n, value in enumerate(truth, start=1)]
    solution = load_solution(files.csv(["id", "y", "Usage"], rows, "solution.csv"), spec)

    def score(header, rows):
        return score_file(files.write(csv_text(header, rows)), solution, spec)

    return score


def rejection(score, header, rows) -> str:
    with pytest.raises(SubmissionRejected) as caught:
        score(header, rows)
    return caught.value.message


@pytest.fixture
def house_prices(files):
    return challenge(files, "rmsle", ["100", "250.5", "80", "1000"], target="SalePrice")


def test_regression_values_may_use_exponents_signs_and_spaces(house_prices):
    result = house_prices(["id", "SalePrice"], [["1", "1e2"], ["2", " 250.5 "], ["3", "+80"], ["4", "1000."]])
    assert (result.public_score, result.private_score) == (0.0, 0.0)


def test_non_numeric_regression_values_are_named_with_their_ids(house_prices):
    message = rejection(
        house_prices, ["id", "SalePrice"], [["1", "1e2"], ["2", "abc"], ["3", "1_000"], ["4", "7"]]
    )
    assert message == (
        "2 values in SalePrice are not a number: abc (id 2), 1_000 (id 3). "
        "Write plain numbers, with a point for decimals (0.75)."
    )


def test_a_decimal_comma_shows_up_as_a_row_with_too_many_values(house_prices):
    message = rejection(
        house_prices, ["id", "SalePrice"], [["1", "100"], ["2", "250", "5"], ["3", "80"], ["4", "9"]]
    )
    assert "line 3 has 3 (2,250,5)" in message


def test_infinite_and_missing_regression_values_are_refused(house_prices):
    rows = [["1", "100"], ["2", "inf"], ["3", "80"], ["4", "9"]]
    assert "1 value in SalePrice is not finite: inf (id 2)" in rejection(
        house_prices, ["id", "SalePrice"], rows
    )
    rows[1][1] = "NA"
    assert "1 row has no value (blank or NaN) in SalePrice (id 2)" in rejection(
        house_prices, ["id", "SalePrice"], rows
    )


def test_rmsle_refuses_predictions_at_or_below_minus_one(house_prices):
    rows = [["1", "100"], ["2", "-1"], ["3", "-0.5"], ["4", "9"]]
    assert rejection(house_prices, ["id", "SalePrice"], rows) == (
        "1 value in SalePrice is outside (-1, ∞): -1.0 (id 2). Each must be a number in (-1, ∞)."
    )


@pytest.fixture
def binary(files):
    return challenge(
        files, "log_loss_binary", ["0", "1", "1", "0"], allowed_labels=("0", "1"), positive_label="1"
    )


def test_binary_probabilities_outside_zero_to_one_are_named(binary):
    rows = [["1", "0.1"], ["2", "1.2"], ["3", "0.7"], ["4", "-0.01"]]
    assert rejection(binary, ["id", "y"], rows) == (
        "2 values in y are outside [0, 1]: 1.2 (id 2), -0.01 (id 4). Each must be a probability in [0, 1]."
    )


@pytest.fixture
def animals(files):
    return challenge(files, "log_loss", ["cat", "dog", "emu", "cat", "dog", "emu"], allowed_labels=LABELS)


def probability_rows(*rows):
    return [[str(n), *map(str, row)] for n, row in enumerate(rows, start=1)]


def test_multiclass_columns_are_matched_by_label_name_in_any_order(animals):
    rows = probability_rows(*[(0.0, 1.0, 0.0)] * 6)  # columns emu, cat, dog: all-in on cat
    result = animals(["id", "emu", "cat", "dog"], rows)
    assert result.public_score > 10  # wrong rows cost -log(eps); only the cat rows score 0


def test_multiclass_rows_must_sum_to_one_within_a_thousandth(animals):
    rows = probability_rows((0.2, 0.3, 0.5), (0.2, 0.3, 0.4), (0.3333, 0.3333, 0.3333), *[(1, 0, 0)] * 3)
    assert rejection(animals, ["id", *LABELS], rows) == (
        "1 row of probabilities does not sum to 1 (within 0.001): 0.9 (id 2). "
        "Each row needs one probability per label, summing to 1."
    )


def test_multiclass_rows_within_tolerance_are_rescaled(animals):
    rows = probability_rows(*[(0.5004, 0.3, 0.2)] * 6)  # sums to 1.0004
    result = animals(["id", *LABELS], rows)
    # Public rows are ids 1, 3, 5: cat, emu, dog.
    expected = -(math.log(0.5004 / 1.0004) + math.log(0.2 / 1.0004) + math.log(0.3 / 1.0004)) / 3
    assert result.public_score == pytest.approx(expected, rel=1e-12)


def test_multiclass_probabilities_outside_zero_to_one_are_named(animals):
    rows = probability_rows((1.5, -0.5, 0), *[(1, 0, 0)] * 5)
    assert "outside [0, 1]: 1.5 (id 1)" in rejection(animals, ["id", *LABELS], rows)


def test_a_missing_label_column_is_named(animals):
    message = rejection(animals, ["id", "cat", "dog"], probability_rows(*[(0.5, 0.5)] * 6))
    assert message.startswith("The header must name the columns id,cat,dog,emu (in any order).")
    assert "missing emu" in message


def test_map_at_k_accepts_blank_predictions_as_no_guess(files):
    score = challenge(files, "map_at_k", ["a b", "c", "d", "e"], k=2)
    result = score(["id", "y"], [["1", "a"], ["2", ""], ["3", "d x"], ["4", "x e"]])
    # Public ids 1 and 3: a of {a, b} at rank 1 (1/2), d at rank 1 (1). Private 2 and 4: nothing, e at 2 (1/2).
    assert (result.public_score, result.private_score) == (0.75, 0.25)
