"""Solutions are checked with messages a host can act on, parsed once per process, and shared by layouts."""

from __future__ import annotations

import pytest

from tests.workers.scoring.helpers import csv_text, digit_spec
from workers.scoring import (
    ScoringSpec,
    SolutionError,
    SubmissionFormat,
    SubmissionRejected,
    load_solution,
    score_file,
    validate_solution,
)
from workers.scoring import solution as solution_module

SOLUTION_HEADER = ["ImageId", "Label", "Usage"]


def problem(files, rows, spec=None, header=SOLUTION_HEADER, **kwargs) -> str:
    path = files.csv(header, rows, "solution.csv")
    with pytest.raises(SolutionError) as caught:
        validate_solution(path, spec or digit_spec(), **kwargs)
    return caught.value.message


def good_rows(count: int = 20) -> list[list[str]]:
    return [[str(n), str(n % 10), "Public" if n % 2 else "Private"] for n in range(1, count + 1)]


def test_duplicate_solution_ids_are_named(files):
    rows = good_rows() + [["3", "1", "Public"], ["5", "2", "Private"]]
    assert problem(files, rows) == (
        "The solution's ImageId column repeats 2 ids (first: 3, 5); each id must appear once."
    )


def test_solution_labels_outside_the_allowed_ones_are_named(files):
    rows = good_rows()
    rows[3][1] = "11"
    message = problem(files, rows)
    assert message.startswith("The solution holds labels that are not allowed (11) in row 4; allowed: 0, 1,")


def test_usage_must_be_public_or_private(files):
    rows = good_rows()
    rows[0][2] = "Ignored"
    assert problem(files, rows) == "The Usage column must hold Public or Private, not Ignored (row 1)."


def test_a_solution_without_public_rows_is_refused(files):
    assert "no Public rows" in problem(files, [[r[0], r[1], "Private"] for r in good_rows()])


def test_a_missing_column_is_named_with_the_columns_present(files):
    rows = [[r[0], r[1]] for r in good_rows()]
    assert problem(files, rows, header=["ImageId", "Digit"]) == (
        "The solution has no column Label; its columns are ImageId, Digit."
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"metric": "accuracy_score"}, "Unknown metric accuracy_score. Known metrics: accuracy,"),
        ({"extra_metrics": ("rmse",)}, "The extra metric rmse reads number predictions"),
        ({"metric": "f1_binary"}, "f1_binary needs a positive label."),
        (
            {"metric": "f1_binary", "positive_label": "yes"},
            "The positive label 'yes' is not one of the labels",
        ),
        ({"metric": "map_at_k"}, "map_at_k needs k, a whole number of 1 or more."),
        ({"metric": "roc_auc", "positive_label": "1"}, "ROC AUC needs two different labels or more"),
    ],
)
def test_spec_mistakes_are_reported_as_solution_errors(files, changes, expected):
    assert problem(files, good_rows(), spec=digit_spec(**changes)).startswith(expected)


def test_roc_auc_needs_both_outcomes_in_each_part(files):
    rows = [[str(n), "1" if n % 4 == 1 else "0", "Public" if n % 2 else "Private"] for n in range(1, 21)]
    spec = digit_spec(metric="roc_auc", positive_label="1", allowed_labels=("0", "1"))
    assert problem(files, rows, spec=spec) == (
        "ROC AUC needs two different labels or more in the Private part; it has 1."
    )


def test_test_ids_that_differ_from_the_solution_are_counted_and_named(files):
    test_ids = [str(n) for n in range(3, 26)]
    assert problem(files, good_rows(), test_ids=test_ids) == (
        "5 ids of test.csv are not in the solution (first: 21, 22, 23, 24, 25). "
        "The solution has 2 ids that test.csv does not (first: 1, 2). "
        "The solution must hold exactly the ids of test.csv."
    )


def test_matching_test_ids_pass(files):
    path = files.csv(SOLUTION_HEADER, good_rows(), "solution.csv")
    solution = validate_solution(path, digit_spec(), test_ids=[f" {n} " for n in range(20, 0, -1)])
    assert (solution.row_count, solution.public_count) == (20, 10)


def test_a_solution_is_parsed_once_per_checksum_and_spec(files, monkeypatch):
    path = files.csv(SOLUTION_HEADER, good_rows(), "solution.csv")
    first = load_solution(path, digit_spec())
    assert load_solution(path, digit_spec(max_upload_bytes=10, test_file_name="x.csv")) is first
    assert load_solution(path, digit_spec(extra_metrics=("f1_macro",))) is not first

    def no_parsing(*args):
        raise AssertionError("parsed again")

    monkeypatch.setattr(solution_module, "_parse", no_parsing)
    assert load_solution(path, digit_spec(), sha256=first.sha256) is first


def test_a_changed_solution_file_is_parsed_again(files):
    path = files.csv(SOLUTION_HEADER, good_rows(), "solution.csv")
    first = load_solution(path, digit_spec())
    files.csv(SOLUTION_HEADER, good_rows(30), "solution.csv")
    assert load_solution(path, digit_spec()).row_count == 30 != first.row_count


def test_without_a_usage_column_everything_is_public(files):
    path = files.csv(["ImageId", "Label"], [r[:2] for r in good_rows()], "solution.csv")
    solution = load_solution(path, digit_spec())
    result = score_file(
        files.write(csv_text(["ImageId", "Label"], [r[:2] for r in good_rows()])), solution, digit_spec()
    )
    assert (result.public_score, result.private_score) == (1.0, None)


def test_a_solution_loaded_for_another_spec_is_a_programming_error(files):
    path = files.csv(SOLUTION_HEADER, good_rows(), "solution.csv")
    solution = load_solution(path, digit_spec())
    with pytest.raises(ValueError, match="another scoring spec"):
        score_file(path, solution, digit_spec(metric="f1_macro"))


def two_layout_challenge(files):
    """One solution, two accepted layouts: Analytics Vidhya's filename,label and Kaggle's ImageId,Label."""
    spec = ScoringSpec(
        metric="accuracy",
        formats=(SubmissionFormat("filename", "label"), SubmissionFormat("ImageId", "Label", "ImageId")),
        solution_id_column="filename",
        solution_target_column="label",
    )
    rows = [[f"{n}.png", str(n), str(n % 3), "Public" if n % 2 else "Private"] for n in range(1, 31)]
    path = files.csv(["filename", "ImageId", "label", "Usage"], rows, "solution.csv")
    return spec, load_solution(path, spec), rows


def test_one_solution_accepts_each_of_its_layouts(files):
    spec, solution, rows = two_layout_challenge(files)
    av_style = files.write(csv_text(["filename", "label"], [[r[0], r[2]] for r in rows]))
    kaggle_style = files.write(csv_text(["Label", "ImageId"], [[r[2], r[1]] for r in reversed(rows)]))
    assert score_file(av_style, solution, spec).public_score == 1.0
    assert score_file(kaggle_style, solution, spec).public_score == 1.0


def test_a_header_matching_no_layout_lists_them_all(files):
    spec, solution, rows = two_layout_challenge(files)
    with pytest.raises(SubmissionRejected) as caught:
        score_file(files.write(csv_text(["id", "label"], [[r[1], r[2]] for r in rows])), solution, spec)
    assert caught.value.message.startswith(
        "The header must name the columns filename,label (in any order); also accepted: ImageId,Label."
    )


def test_labels_given_as_numbers_match_their_text(files):
    spec = digit_spec(allowed_labels=tuple(range(10)), metric="f1_binary", positive_label=7)
    path = files.csv(SOLUTION_HEADER, good_rows(), "solution.csv")
    solution = load_solution(path, spec)
    assert solution.vocabulary.labels[7] == "7" and solution.positive_code == 7


def test_a_spec_built_with_lists_still_loads_and_scores(files):
    spec = ScoringSpec(
        metric="accuracy",
        formats=[SubmissionFormat("ImageId", "Label")],
        solution_id_column="ImageId",
        solution_target_column="Label",
        allowed_labels=[str(n) for n in range(10)],
        extra_metrics=["f1_macro"],
    )
    solution = load_solution(files.csv(SOLUTION_HEADER, good_rows(), "solution.csv"), spec)
    submission = files.write(csv_text(["ImageId", "Label"], [r[:2] for r in good_rows()]))
    assert score_file(submission, solution, spec).extra_scores["f1_macro"]["public"] == 1.0
