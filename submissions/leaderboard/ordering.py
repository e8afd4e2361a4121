"""Which way a board sorts: the one place that turns a metric's direction into an order.

Every board, history and chart compares scores through `sort_score`, so no caller decides "higher or lower is
better" itself; the stored `LeaderboardEntry.sort_score` is this value, which lets one index serve every metric.
"""

from projects.models import Challenge
from workers.scoring import METRICS

# Entries in rank order: the best sort_score first; equal scores go to the submission that reached them first,
# and the id breaks an exact time tie (the board's index holds these columns in this order).
ENTRY_ORDER = ("-sort_score", "submitted_at", "submission_id")


def higher_is_better(challenge: Challenge) -> bool:
    return METRICS[challenge.metric].higher_is_better


def sort_key(score: float, *, higher_is_better: bool) -> float:
    """The score turned so that larger is always better."""
    return score if higher_is_better else -score


def sort_score(challenge: Challenge, score: float) -> float:
    return sort_key(score, higher_is_better=higher_is_better(challenge))
