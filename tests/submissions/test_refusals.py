"""The refusals (hub/errors.py DomainRefusal: submissions, teams, datasets, the discussion) are mapped to a status
once per protocol, by one table, and nowhere else."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore

from community.errors import DiscussionError, DiscussionReason
from compat.errors import evalai_exception_handler, evalai_status, kaggle_exception_handler, kaggle_status
from hub.api_errors import REFUSAL_STATUS, exception_handler
from hub.errors import DomainRefusal
from hub.forms import refused_page
from projects.errors import DatasetError, DatasetReason, DatasetZipNotReady
from submissions.errors import Reason, SubmissionRefused, TeamReason, TeamRefused

ROOT = Path(__file__).resolve().parents[2]
# The modules that map a refusal to a status and shape: the REST API's handler, the answers outside DRF's views
# (a middleware's), the pages' side, the compatibility layers' handlers.
MAPPERS = {"hub/api_errors.py", "hub/server_errors.py", "hub/forms.py", "compat/errors.py"}
# Pages catch it to show the sentence on the form or the tab (through hub/forms.py) or as a message after a
# redirect.
PAGES = {"submissions/views.py", "submissions/team_views.py"}
FAMILIES = {"DomainRefusal", "SubmissionRefused", "TeamRefused", "DatasetError", "DiscussionError"}
TABLES = {"REFUSAL_STATUS", "refusal_status", "SUBMISSION_REFUSAL_STATUS", "TEAM_REFUSAL_STATUS"}
TABLES |= {"DATASET_REFUSAL_STATUS", "DISCUSSION_REFUSAL_STATUS"}


def refusal(reason) -> DomainRefusal:
    """A refusal of `reason`'s family, as its services raise it."""
    if isinstance(reason, Reason):
        return SubmissionRefused(reason, "Not now.")
    if isinstance(reason, TeamReason):
        return TeamRefused("Not now.", reason=reason.value)
    if reason is DatasetReason.NOT_READY:
        return DatasetZipNotReady("Not now.")
    family = DatasetError if isinstance(reason, DatasetReason) else DiscussionError
    return family("Not now.", reason=reason)


EVERY_REASON = [*Reason, *TeamReason, *DatasetReason, *DiscussionReason]


def project_modules() -> list[Path]:
    skipped = {".venv", "tests", "migrations", "node_modules", "hub_cli", "bench", "tools"}
    return [
        path
        for path in ROOT.rglob("*.py")
        if not skipped.intersection(path.relative_to(ROOT).parts[:-1])
        and not path.relative_to(ROOT).parts[0].startswith(".")
    ]


def page_request(rf):
    request = rf.post("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize("reason", EVERY_REASON, ids=lambda reason: f"{type(reason).__name__}.{reason.name}")
def test_every_reason_of_every_family_maps_in_every_protocol(reason, rf):
    error = refusal(reason)
    rest = REFUSAL_STATUS[reason]
    # A zip still being built is the one refusal that is not the client's: 503, and when to ask again.
    expected_range = range(503, 504) if reason is DatasetReason.NOT_READY else range(400, 500)

    api = exception_handler(error, {})
    assert api.status_code == rest in expected_range
    assert api.data == {"error": "Not now.", "detail": None, "code": error.code}
    evalai = evalai_exception_handler(error, {})
    assert evalai.status_code == evalai_status(rest) in expected_range
    assert evalai.data["error"] == "Not now." and evalai.reason_phrase == "Not now."
    kaggle = kaggle_exception_handler(error, {})
    assert kaggle.status_code == kaggle_status(rest) in expected_range
    assert kaggle.data == {"code": kaggle_status(rest), "message": "Not now."}
    page = refused_page(page_request(rf), error)
    assert page.status_code == rest and b"Not now." in page.content
    if error.retry_after is not None:
        assert api["Retry-After"] == page["Retry-After"] == str(error.retry_after)
    if rest == 429:
        assert int(api["Retry-After"]) >= 1


def test_the_codes_are_the_ones_the_api_has_always_answered_with():
    assert {reason.code for reason in Reason} == {
        "not_authenticated", "email_not_verified", "not_open", "ended", "empty_file", "too_large", "not_csv",
        "total_limit", "daily_limit", "not_owner", "not_scored", "disqualified", "final_limit", "expired",
        "bad_token", "incomplete", "not_uploaded",
    }  # fmt: skip
    assert SubmissionRefused(Reason.FINAL_SELECTION_CLOSED, "closed").code == "ended"


def test_the_other_families_keep_the_statuses_they_always_had():
    statuses = {
        (type(reason).__name__, refusal(reason).code): REFUSAL_STATUS[reason]
        for reason in [*TeamReason, *DatasetReason, *DiscussionReason]
    }
    assert statuses == {
        ("TeamReason", "name_invalid"): 400, ("TeamReason", "not_leader"): 403, ("TeamReason", "not_member"): 403,
        ("TeamReason", "not_found"): 404, ("TeamReason", "invite_invalid"): 404,
        **{
            ("TeamReason", code): 409
            for code in ["teams_off", "ended", "merger_deadline", "not_in_team", "already_in_team",
                         "already_member", "name_taken", "team_full", "over_daily_limit", "over_total_limit",
                         "over_final_selections",
                         "already_requested"]
        },
        ("DatasetReason", "invalid"): 400, ("DatasetReason", "exists"): 409,
        ("DatasetReason", "permission_denied"): 403, ("DatasetReason", "too_large"): 413,
        ("DatasetReason", "quota_exceeded"): 413, ("DatasetReason", "not_ready"): 503,
        ("DiscussionReason", "invalid"): 400, ("DiscussionReason", "not_found"): 404,
        ("DiscussionReason", "permission_denied"): 403, ("DiscussionReason", "topic_locked"): 403,
        ("DiscussionReason", "throttled"): 429,
    }  # fmt: skip


def test_a_team_reason_named_by_a_code_it_does_not_have_fails_where_it_is_raised():
    with pytest.raises(ValueError):
        TeamRefused("Not now.", reason="no_such_reason")


def test_no_module_but_the_mappers_turns_a_refusal_into_a_status():
    offenders = []
    for path in project_modules():
        name = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(), filename=name)
        for node in ast.walk(tree):
            caught = isinstance(node, ast.ExceptHandler) and any(
                family in ast.unparse(node.type or node) for family in FAMILIES
            )
            mapped = isinstance(node, ast.Name) and node.id in TABLES
            if (caught and name not in MAPPERS | PAGES) or (mapped and name not in MAPPERS):
                offenders.append(f"{name}:{node.lineno}")
            statused = isinstance(node, ast.Call) and ast.unparse(node.func) in FAMILIES
            if statused and any(keyword.arg in {"status", "status_code"} for keyword in node.keywords):
                offenders.append(f"{name}:{node.lineno} (a status on the refusal)")
    assert offenders == []
    assert project_modules(), "the walk found the project's modules"
