"""Whatever bytes a learner uploads, the engine answers with a score or a SubmissionRejected, never a crash."""

from __future__ import annotations

import gzip
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workers.scoring.helpers import csv_text
from workers.scoring import (
    ScoreResult,
    ScoringSpec,
    SubmissionFormat,
    SubmissionRejected,
    load_solution,
    score_file,
)

ROWS = 30
LABELS = ("a", "b", "c")


def spec_for(metric: str, **changes) -> ScoringSpec:
    return ScoringSpec(
        metric=metric,
        formats=(SubmissionFormat("id", "y"),),
        solution_id_column="id",
        solution_target_column="y",
        max_upload_bytes=64 * 1024,
        **changes,
    )


CHALLENGES = {
    "labels": (spec_for("accuracy", allowed_labels=LABELS, extra_metrics=("f1_macro",)), "a", ["id", "y"]),
    "open labels": (spec_for("f1_macro", extra_metrics=("balanced_accuracy",)), "a", ["id", "y"]),
    "numbers": (spec_for("rmsle"), "1.5", ["id", "y"]),
    "probabilities": (spec_for("log_loss", allowed_labels=LABELS), "a", ["id", *LABELS]),
    "ranking": (spec_for("map_at_k", k=3), "a b", ["id", "y"]),
    "file names": (spec_for("accuracy", allowed_labels=LABELS), "a", ["id", "y"]),
}


def row_id(kind: str, number: int) -> str | int:
    return f"img_{number:03d}.png" if kind == "file names" else number


def valid_submission(kind: str) -> bytes:
    _, _, header = CHALLENGES[kind]
    if kind == "probabilities":
        rows = [[n, 0.2, 0.3, 0.5] for n in range(ROWS)]
    else:
        guesses = {"labels": "b", "open labels": "z", "numbers": 2.25, "ranking": "a c", "file names": "a"}
        # Reversed, so that ids go through the numbered path rather than the in-order shortcut.
        rows = [[row_id(kind, n), guesses[kind]] for n in reversed(range(ROWS))]
    return csv_text(header, rows).encode()


@pytest.fixture(scope="module")
def solutions(tmp_path_factory):
    directory = tmp_path_factory.mktemp("solutions")
    loaded = {}
    for kind, (spec, truth, _) in CHALLENGES.items():
        path = directory / f"{kind}.csv"
        rows = [
            [
                row_id(kind, n),
                truth if n % 3 else {"a": "b", "1.5": "3", "a b": "c"}[truth],
                "Public" if n % 2 else "Private",
            ]
            for n in range(ROWS)
        ]
        path.write_text(csv_text(["id", "y", "Usage"], rows))
        loaded[kind] = load_solution(path, spec)
    return loaded


def assert_scored_or_rejected(data: bytes, kind: str, solutions) -> ScoreResult | None:
    spec = CHALLENGES[kind][0]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "upload.csv"
        path.write_bytes(data)
        try:
            result = score_file(path, solutions[kind], spec)
        except SubmissionRejected as rejected:
            assert rejected.message.strip()
            return None
    assert isinstance(result, ScoreResult)
    assert math.isfinite(result.public_score) and result.rows == ROWS
    return result


fuzz_settings = settings(
    max_examples=int(os.environ.get("SCORING_FUZZ_EXAMPLES", 120)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@fuzz_settings
@given(data=st.binary(max_size=3000), kind=st.sampled_from(sorted(CHALLENGES)))
def test_random_bytes_are_scored_or_rejected(solutions, data, kind):
    assert_scored_or_rejected(data, kind, solutions)


@st.composite
def mutated_submissions(draw):
    kind = draw(st.sampled_from(sorted(CHALLENGES)))
    data = bytearray(valid_submission(kind))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate line", "truncate"]))
        chunk = draw(
            st.sampled_from(
                [
                    b",",
                    b"\n",
                    b"\r",
                    b'"',
                    b";",
                    b"\t",
                    b" ",
                    b"\x00",
                    b"\xff",
                    b"\xef\xbb\xbf",
                    b"nan",
                    b"-1",
                    b"1e999",
                    b"0x1",
                    b"a",
                    b"c",
                    b"0.9",
                    b"",
                    b"id",
                    b"y",
                    b"0",
                    b"_",
                    b".png",
                    b"-",
                ]
            )
        )
        if action == "insert":
            data[position:position] = chunk
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 20))]
        elif action == "replace":
            data[position : position + len(chunk)] = chunk
        elif action == "duplicate line":
            start = data.rfind(b"\n", 0, position) + 1
            end = data.find(b"\n", position)
            line = bytes(data[start : end + 1 if end >= 0 else len(data)])
            data[start:start] = line
        else:
            del data[position:]
    compress = draw(st.booleans()) and draw(st.integers(0, 4)) == 0
    return kind, gzip.compress(bytes(data)) if compress else bytes(data)


@fuzz_settings
@given(case=mutated_submissions())
def test_mutated_csvs_are_scored_or_rejected(solutions, case):
    kind, data = case
    assert_scored_or_rejected(data, kind, solutions)


@pytest.mark.parametrize("kind", sorted(CHALLENGES))
def test_the_unmutated_submissions_score(solutions, kind):
    assert assert_scored_or_rejected(valid_submission(kind), kind, solutions) is not None
