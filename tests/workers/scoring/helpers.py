"""Helpers for the engine's tests: they write small CSVs to a temporary directory and need no Django."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from workers.scoring import ScoringSpec, SubmissionFormat, load_solution, score_file

DIGITS = tuple(str(digit) for digit in range(10))


def digit_spec(**changes) -> ScoringSpec:
    """Kaggle's digit recognizer: ImageId,Label with labels 0-9, scored by accuracy."""
    fields = {
        "metric": "accuracy",
        "formats": (SubmissionFormat("ImageId", "Label"),),
        "solution_id_column": "ImageId",
        "solution_target_column": "Label",
        "allowed_labels": DIGITS,
    }
    fields.update(changes)
    return ScoringSpec(**fields)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], line_end: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


class Files:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.written = 0

    def write(self, content: str | bytes, name: str | None = None) -> Path:
        self.written += 1
        path = self.directory / (name or f"file{self.written}.csv")
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    def csv(self, header: Sequence[str], rows: Iterable[Sequence[object]], name: str | None = None) -> Path:
        return self.write(csv_text(header, rows), name)


class Digits:
    """A 3,000-row digit challenge (ids 1..3000, every tenth row Public) and a perfect submission to edit."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.spec = digit_spec()
        self.ids = [str(number) for number in range(1, 3001)]
        self.labels = [str(number * 7 % 10) for number in range(1, 3001)]
        usage = ["Public" if number % 10 == 0 else "Private" for number in range(1, 3001)]
        path = files.csv(
            ["ImageId", "Label", "Usage"], zip(self.ids, self.labels, usage, strict=True), "solution.csv"
        )
        self.solution = load_solution(path, self.spec)

    def rows(self) -> list[list[str]]:
        return [[row_id, label] for row_id, label in zip(self.ids, self.labels, strict=True)]

    def score(self, content: str | bytes | list[list[str]], header: Sequence[str] = ("ImageId", "Label")):
        if isinstance(content, list):
            content = csv_text(header, content)
        return score_file(self.files.write(content), self.solution, self.spec)
