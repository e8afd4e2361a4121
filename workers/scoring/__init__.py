"""The scoring engine: plain Python over pandas, pyarrow, NumPy and scikit-learn, with no Django.

Load a solution once per process with load_solution() (cached by checksum), then call score_file() per
submission. Learners' mistakes raise SubmissionRejected; hosts' mistakes raise SolutionError. Both carry a
message meant for a person.
"""

from workers.scoring.archives import check_upload_head
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
    "check_upload_head",
    "load_solution",
    "score_file",
    "validate_solution",
]
