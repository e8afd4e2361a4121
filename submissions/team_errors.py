"""Refusals of team changes, in words for a person and without HTTP: each protocol maps `reason` to its status
once (hub/api_errors.py for the REST API, submissions/team_views.py for the pages)."""


class TeamRefused(Exception):
    """A team change that may not happen; the message says why and what to do instead.

    `reason` is stable for scripts: teams_off, ended, merger_deadline, not_in_team, already_in_team,
    already_member, name_invalid, name_taken, invite_invalid, not_found, not_leader, not_member, team_full,
    over_daily_limit, over_total_limit, over_final_selections, already_requested.
    """

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


# The HTTP status of each reason, for the protocols that speak HTTP; any other reason is a 409 (a conflict with
# the team's state now: it may succeed later or after another change).
TEAM_REFUSAL_STATUS = {
    "name_invalid": 400,
    "not_leader": 403,
    "not_member": 403,
    "not_found": 404,
    "invite_invalid": 404,
}


def team_refusal_status(error: TeamRefused) -> int:
    return TEAM_REFUSAL_STATUS.get(error.reason, 409)
