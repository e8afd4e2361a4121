"""What a challenge tells the engine: its metric, the layouts it accepts, and its solution's columns."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class SubmissionFormat:
    id_column: str  # header name in the learner's file, e.g. "ImageId"
    target_column: str  # e.g. "Label"; unused by per-label probability metrics (one column per allowed label)
    solution_id_column: str | None = None  # solution column holding the ids of this layout; None = spec's


@dataclass(frozen=True)
class ScoringSpec:
    metric: str
    formats: tuple[SubmissionFormat, ...]  # the first is the primary one, named in messages
    solution_id_column: str
    solution_target_column: str
    allowed_labels: tuple[str, ...] = ()  # empty = any label
    extra_metrics: tuple[str, ...] = ()
    positive_label: str | None = None  # binary metrics
    k: int | None = None  # MAP@K
    usage_column: str = "Usage"  # Public/Private per row; a solution without it is all Public
    max_upload_bytes: int = 100 * 1024 * 1024
    test_file_name: str = "test.csv"  # named in messages

    def solution_id_column_of(self, submission_format: SubmissionFormat) -> str:
        return submission_format.solution_id_column or self.solution_id_column

    def solution_key(self) -> ScoringSpec:
        """The spec with the fields that do not change how a solution is parsed blanked out.

        Two specs with the same key share a cached Solution: the upload limit and the name shown in messages
        can change without re-reading the file.
        """
        return dataclasses.replace(
            self,
            # Lists where tuples are declared would make the key unhashable; accept them all the same.
            formats=tuple(self.formats),
            allowed_labels=tuple(self.allowed_labels),
            extra_metrics=tuple(self.extra_metrics),
            max_upload_bytes=0,
            test_file_name="",
        )
