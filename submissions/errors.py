"""The one refusal of the submission services: why a learner may not do what they asked, in words for a person.

It carries no HTTP status. Each protocol maps the reason to its status and shape in one place: the REST API
(hub/api_errors.py, which the pages' forms use too), and each compatibility layer (compat/errors.py).
"""

from enum import Enum


class Reason(Enum):
    """Why a submission (or a final selection, or a Kaggle upload step) was refused.

    `code` is the stable code the API answers with: the value, except for two reasons that share the code of
    another (choosing finals after the end is "ended" too, a Kaggle PUT over its announced size "too_large"),
    told apart by their status.
    """

    NOT_AUTHENTICATED = "not_authenticated"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    NOT_OPEN = "not_open"
    ENDED = "ended"
    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    NOT_CSV = "not_csv"
    TOTAL_LIMIT = "total_limit"
    DAILY_LIMIT = "daily_limit"
    # Final selection
    NOT_OWNER = "not_owner"
    FINAL_SELECTION_CLOSED = "final_selection_closed"
    NOT_SCORED = "not_scored"
    DISQUALIFIED = "disqualified"
    FINAL_LIMIT = "final_limit"
    # Kaggle's three-step upload
    UPLOAD_EXPIRED = "expired"
    UPLOAD_BAD_TOKEN = "bad_token"
    UPLOAD_LARGER_THAN_ANNOUNCED = "larger_than_announced"
    UPLOAD_INCOMPLETE = "incomplete"
    UPLOAD_MISSING = "not_uploaded"

    @property
    def code(self) -> str:
        return _SHARED_CODES.get(self, self.value)


_SHARED_CODES = {
    Reason.FINAL_SELECTION_CLOSED: Reason.ENDED.value,
    Reason.UPLOAD_LARGER_THAN_ANNOUNCED: Reason.TOO_LARGE.value,
}


class SubmissionRefused(Exception):
    """The learner may not do this now; `message` says why and what to do instead."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def code(self) -> str:
        return self.reason.code
