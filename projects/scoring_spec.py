"""The one translation from a challenge's settings to the scoring engine's ScoringSpec."""

from typing import Any

from workers.scoring import ScoringSpec, SubmissionFormat


def scoring_spec_for(config: Any, *, test_file_name: str = "test.csv") -> ScoringSpec:
    """`config` is a Challenge or a Bundle: both carry the same scoring fields under the same names."""
    formats = [SubmissionFormat(config.id_column, config.target_column, config.solution_id_column)]
    formats += [
        SubmissionFormat(f["id_column"], f["target_column"], f.get("solution_id_column") or f["id_column"])
        for f in config.extra_formats
    ]
    return ScoringSpec(
        metric=config.metric,
        formats=tuple(formats),
        solution_id_column=config.solution_id_column,
        solution_target_column=config.solution_target_column,
        allowed_labels=tuple(str(label) for label in config.allowed_labels),
        extra_metrics=tuple(config.extra_metrics),
        positive_label=config.positive_label or None,
        k=config.metric_k,
        max_upload_bytes=config.max_upload_bytes,
        test_file_name=test_file_name,
    )
