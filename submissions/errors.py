"""The refusals of submissions and teams: why a learner may not do what they asked, in words for a person.

They carry no HTTP status (hub/errors.py DomainRefusal). Each protocol maps the reason to its status and shape in
one place: the REST API (hub/api_errors.py, which the pages use too), and each compatibility layer
(compat/errors.py).
"""

from enum import Enum

from hub.errors import DomainRefusal


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


class SubmissionRefused(DomainRefusal):
    """The learner may not do this now; `message` says why and what to do instead."""

    reason: Reason

    def __init__(self, reason: Reason, message: str):
        super().__init__(message, reason=reason)


class TeamReason(Enum):
    """Why a team change was refused; the value is the code the API answers with."""

    TEAMS_OFF = "teams_off"
    ENDED = "ended"
    MERGER_DEADLINE = "merger_deadline"
    NOT_IN_TEAM = "not_in_team"
    ALREADY_IN_TEAM = "already_in_team"
    ALREADY_MEMBER = "already_member"
    NAME_INVALID = "name_invalid"
    NAME_TAKEN = "name_taken"
    INVITE_INVALID = "invite_invalid"
    NOT_FOUND = "not_found"
    NOT_LEADER = "not_leader"
    NOT_MEMBER = "not_member"
    TEAM_FULL = "team_full"
    OVER_DAILY_LIMIT = "over_daily_limit"
    OVER_TOTAL_LIMIT = "over_total_limit"
    OVER_FINAL_SELECTIONS = "over_final_selections"
    ALREADY_REQUESTED = "already_requested"


class TeamRefused(DomainRefusal):
    """A team change that may not happen; the message says why and what to do instead (with the numbers).

    `reason` may be given as its code: the services name it so, and TeamReason checks it at once.
    """

    reason: TeamReason

    def __init__(self, message: str, *, reason: TeamReason | str):
        super().__init__(message, reason=TeamReason(reason))
