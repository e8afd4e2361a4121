"""The scoring engine: plain Python over pandas, pyarrow, NumPy and scikit-learn, with no Django.

Load a solution once per process with load_solution() (cached by checksum), then call score_file() per
submission. Learners' mistakes raise SubmissionRejected; hosts' mistakes raise SolutionError. Both carry a
message meant for a person::

    spec = ScoringSpec(
        metric="accuracy",
        formats=(SubmissionFormat("ImageId", "Label"),),
        solution_id_column="ImageId",
        solution_target_column="Label",
        allowed_labels=tuple("0123456789"),
    )
    validate_solution("solution.csv", spec, test_ids=test_ids)  # at import: SolutionError if anything is off
    solution = load_solution("solution.csv", spec, sha256=stored_sha256)  # in the worker: parsed once
    result = score_file("upload.csv.gz", solution, spec)  # ScoreResult, or SubmissionRejected
"""

from workers.scoring.archives import sniff
from workers.scoring.engine import ScoreResult, score_file
from workers.scoring.errors import ScoringError, SolutionError, SubmissionRejected
from workers.scoring.metrics import METRICS, Metric
from workers.scoring.solution import Solution, check_spec, load_solution, validate_solution
from workers.scoring.spec import ScoringSpec, SubmissionFormat

__all__ = [
    "METRICS",
    "Metric",
    "ScoreResult",
    "ScoringError",
    "ScoringSpec",
    "Solution",
    "SolutionError",
    "SubmissionFormat",
    "SubmissionRejected",
    "check_spec",
    "load_solution",
    "score_file",
    "sniff",
    "validate_solution",
]
