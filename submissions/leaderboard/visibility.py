"""Who may see which board and which scores: the one rule, used by the pages, the REST API and every client.

Private scores stay hidden from everyone, their owner included, until the challenge ends or the host reveals
them (projects.selectors.challenge_private_visible). The viewer is passed everywhere so that a rule by viewer
(a class's teacher, a private challenge) is added here alone.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from projects.models import Challenge
from projects.selectors import challenge_private_visible

from ..models import LeaderboardEntry, Submission

Viewer = AbstractBaseUser | AnonymousUser | None


class PrivateBoardHidden(Exception):
    """The private board of `challenge` is asked for while it is still hidden. Carries no HTTP status: each
    protocol words and maps it once (hub/api_errors.py, compat/errors.py; the pages show the public board)."""

    def __init__(self, challenge: Challenge):
        super().__init__(
            f"The private leaderboard of {challenge.title} is hidden until the challenge ends or the host "
            "reveals it."
        )
        self.challenge = challenge


def leaderboard_split_visible(challenge: Challenge, split: str, viewer: Viewer = None) -> bool:
    return split == LeaderboardEntry.Split.PUBLIC or challenge_private_visible(challenge)


def leaderboard_split_check(*, challenge: Challenge, split: str, viewer: Viewer = None) -> None:
    """Raise PrivateBoardHidden unless the viewer may see the board."""
    if not leaderboard_split_visible(challenge, split, viewer):
        raise PrivateBoardHidden(challenge)


@dataclass(frozen=True)
class VisibleScores:
    public: float | None
    private: float | None  # None while the private board is hidden, whatever the submission holds
    extra: dict  # {metric: {"public": x, "private": y}}, each "private" left out while hidden
    private_shown: bool


def visible_scores(submission: Submission, viewer: Viewer) -> VisibleScores:
    """The scores of a submission that the viewer may see: the one rule every page and protocol shows."""
    shown = leaderboard_split_visible(submission.challenge, LeaderboardEntry.Split.PRIVATE, viewer)
    extra = submission.extra_scores or {}
    if not shown:
        extra = {
            metric: {part: value for part, value in scores.items() if part != "private"}
            if isinstance(scores, dict)
            else scores
            for metric, scores in extra.items()
        }
    return VisibleScores(
        public=submission.public_score,
        private=submission.private_score if shown else None,
        extra=extra,
        private_shown=shown,
    )
