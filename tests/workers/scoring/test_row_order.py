"""The score does not depend on row order, nor on which id-matching path the engine takes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.workers.scoring.helpers import csv_text, digit_spec
from workers.scoring import SubmissionRejected, load_solution, reading, score_file
from workers.scoring.ids import IdIndex

SPEC = digit_spec(extra_metrics=("f1_macro", "balanced_accuracy"))


def challenge(files, ids: list[str], seed: int = 0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, len(ids)).astype(str)
    usage = np.where(rng.random(len(ids)) < 0.3, "Public", "Private")
    path = files.write(
        csv_text(["ImageId", "Label", "Usage"], zip(ids, labels, usage, strict=True)), "solution.csv"
    )
    predicted = np.where(rng.random(len(ids)) < 0.7, labels, rng.integers(0, 10, len(ids)).astype(str))
    return load_solution(path, SPEC), [[row_id, label] for row_id, label in zip(ids, predicted, strict=True)]


def scores_in_orders(files, solution, rows, seed: int = 1):
    rng = np.random.default_rng(seed)
    half = len(rows) // 2
    orders = {
        "solution order": rows,
        "reversed": rows[::-1],
        "shuffled": [rows[i] for i in rng.permutation(len(rows))],
        "half shuffled": rows[:half] + [rows[half + i] for i in rng.permutation(len(rows) - half)],
    }
    return {
        name: score_file(files.write(csv_text(["ImageId", "Label"], ordered)), solution, SPEC)
        for name, ordered in orders.items()
    }


@pytest.mark.parametrize(
    "id_kind",
    [
        "dense integers",
        "sparse integers",
        "negative integers",
        "zero-padded file names",
        "numbered file names",
        "words",
    ],
)
def test_the_score_is_the_same_in_any_row_order(files, id_kind, monkeypatch):
    # Small parse blocks give several chunks: some match the solution's order, some need a lookup.
    monkeypatch.setattr(reading, "BLOCK_BYTES", 4096)
    count = 6000
    rng = np.random.default_rng(2)
    ids = {
        "dense integers": [str(n) for n in rng.permutation(count) + 1],
        "sparse integers": [str(n) for n in rng.choice(10**15, count, replace=False)],
        "negative integers": [str(n) for n in range(-count // 2, count - count // 2)],
        "zero-padded file names": [f"img_{n:06d}.png" for n in range(count)],
        "numbered file names": [f"{n}.jpg" for n in rng.permutation(count)],
        "words": [f"{n:x}-{n * 7919 % 10007:x}" for n in range(count)],  # no shared numbering: strings only
    }[id_kind]
    solution, rows = challenge(files, ids)
    if id_kind != "words":
        # Numbered ids must be matched by their numbers, never by the slower string comparison.
        assert solution.indexes["ImageId"].numbering is not None
        monkeypatch.setattr(IdIndex, "_text_file_rows", lambda *args: pytest.fail("string path taken"))
    results = scores_in_orders(files, solution, rows)
    assert all(result == results["solution order"] for result in results.values()), results
    assert 0.6 < results["shuffled"].public_score < 0.9


def test_numbers_pyarrow_would_parse_differently_are_not_the_solution_ids(files):
    # 100000000 and 0x5F5E100 are the same number with the same length; only the string comparison tells.
    ids = [str(100_000_000 + n) for n in range(50)]
    solution, rows = challenge(files, ids)
    rows[0][0] = "0x5F5E100"
    with pytest.raises(SubmissionRejected, match=r"1 id is not in test.csv \(first: 0x5F5E100\)"):
        score_file(files.write(csv_text(["ImageId", "Label"], rows)), solution, SPEC)


def test_a_leading_zero_balanced_by_a_shorter_form_is_still_caught(files):
    ids = [str(n) for n in range(1, 51)]
    solution, rows = challenge(files, ids)
    rows[3][0] = "04"  # one byte longer than "4"...
    rows[9][0] = "+10"  # ...and pyarrow refuses "+10", so the string path must decide
    with pytest.raises(SubmissionRejected, match=r"2 ids are not in test.csv \(first: 04, \+10\)"):
        score_file(files.write(csv_text(["ImageId", "Label"], rows)), solution, SPEC)


@pytest.mark.parametrize(
    ("solution_id", "submitted_id"),
    [
        ("img_0007.png", "img_007.png"),  # zero padding of another width
        ("img_0007.png", "img_00007.png"),
        ("img_0007.png", "IMG_0007.png"),  # another prefix
        ("img_0007.png", "img_0007.PNG"),
        ("img_0007.png", "img_-007.png"),  # a sign pyarrow would parse
        ("img_0007.png", "img_0x07.png"),  # hexadecimal pyarrow would parse
        ("box_0007.xml", "box_0x07.xml"),  # an x in the fixed text is fine, not in the number
        ("7.jpg", "07.jpg"),  # a leading zero on an unpadded number
        ("0.jpg", "-0.jpg"),
    ],
)
def test_numbered_ids_match_only_when_spelled_exactly(files, solution_id, submitted_id):
    prefix, _, rest = solution_id.rpartition("_") if "_" in solution_id else ("", "", solution_id)
    number, suffix = rest.split(".")
    width = len(number) if number.startswith("0") and len(number) > 1 else 0
    ids = [f"{prefix}{'_' if prefix else ''}{int(number) + n:0{width}d}.{suffix}" for n in range(40)]
    assert ids[0] == solution_id
    solution, rows = challenge(files, ids)
    rows = rows[::-1]  # shuffled, so the numbered path is taken
    rows[-1][0] = submitted_id
    with pytest.raises(
        SubmissionRejected, match=rf"1 id is not in test.csv \(first: {re.escape(submitted_id)}\)"
    ):
        score_file(files.write(csv_text(["ImageId", "Label"], rows)), solution, SPEC)
    rows[-1][0] = f" {solution_id} "  # the exact id, with spaces to trim, is accepted
    assert score_file(files.write(csv_text(["ImageId", "Label"], rows)), solution, SPEC).rows == 40
