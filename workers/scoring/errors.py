"""The two ways a scoring run can fail, and the helpers that word their messages.

Both exceptions carry a message meant for a person (a learner or a host): callers show ``str(exc)`` as is.
"""

from __future__ import annotations

from collections.abc import Iterable


class ScoringError(Exception):
    """Base for the engine's own errors; ``message`` is the text to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SubmissionRejected(ScoringError):
    """The learner's file cannot be scored; the message says what is wrong, where, and what to do."""


class SolutionError(ScoringError):
    """A host-side error: the host's solution file (or the scoring spec that goes with it) is invalid, missing,
    unreadable or not the file that was imported. At import it refuses the bundle; at scoring time it fails the
    submission at once, never retried (another delivery would meet the same file), and the message is for the
    hosts, not the learner."""


def count(number: int) -> str:
    """3000 -> '3,000': counts in messages are read by people."""
    return f"{number:,}"


def plural(number: int, singular: str, plural_form: str | None = None) -> str:
    """'1 id', '3,000 ids'."""
    word = singular if number == 1 else (plural_form or singular + "s")
    return f"{count(number)} {word}"


def agree(number: int, singular: str, plural_form: str) -> str:
    """The verb form that agrees with a count: agree(2, "is", "are") -> 'are'."""
    return singular if number == 1 else plural_form


def first_few(values: Iterable[object], limit: int = 5) -> str:
    """The first few values, quoted only when quoting makes a blank or spaced value visible."""
    shown = []
    for value in values:
        if len(shown) == limit:
            break
        text = str(value)
        if len(text) > 40:
            text = text[:37] + "..."
        shown.append(text if text and text.strip() == text and "," not in text else repr(text))
    return ", ".join(shown)
