"""The one shape of a domain refusal: a reason for scripts and a sentence for a person, without HTTP.

Each family (submissions/errors.py: submissions and teams; projects/errors.py: datasets; community/errors.py: the
discussion) is a subclass with its own Reason enum. Each protocol maps every family's reasons to its status in one
table lookup: the REST API in hub/api_errors.py (which the pages reuse through hub/forms.py), each compatibility
layer from that in compat/errors.py.
"""

from enum import Enum


class DomainRefusal(Exception):
    """What was asked may not happen; `message` says why and what to do instead.

    `reason` is a member of the family's Reason enum (plain Enum, not StrEnum: two families may share a value, and
    the status table keys on the member). `code` is the stable code the API answers with: the reason's value,
    unless the family's Reason says otherwise. `retry_after` (seconds), when set, says when to ask again.
    """

    reason: Enum
    retry_after: int | None = None

    def __init__(self, message: str, *, reason: Enum | None = None):
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason

    @property
    def code(self) -> str:
        return getattr(self.reason, "code", self.reason.value)
