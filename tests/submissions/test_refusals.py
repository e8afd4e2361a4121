"""The one refusal (submissions/errors.py) is mapped to a status once per protocol, and nowhere else."""

import ast
from pathlib import Path

import pytest

from compat.errors import evalai_status, kaggle_status
from hub.api_errors import REFUSAL_STATUS
from submissions.errors import Reason, SubmissionRefused

ROOT = Path(__file__).resolve().parents[2]
# The modules that map a refusal to a status and shape: the REST API's handler, the answers outside DRF's views
# (a middleware's), the pages' forms, the compatibility layers' handlers.
MAPPERS = {"hub/api_errors.py", "hub/server_errors.py", "hub/forms.py", "compat/errors.py"}
# Pages catch it to show the sentence on the form (through hub/forms.py) or as a message after a redirect.
PAGES = {"submissions/views.py"}


def project_modules() -> list[Path]:
    skipped = {".venv", "tests", "migrations", "node_modules", "hub_cli", "bench", "tools"}
    return [
        path
        for path in ROOT.rglob("*.py")
        if not skipped.intersection(path.relative_to(ROOT).parts[:-1])
        and not path.relative_to(ROOT).parts[0].startswith(".")
    ]


@pytest.mark.parametrize("reason", list(Reason), ids=lambda reason: reason.name)
def test_every_reason_has_a_client_error_status_in_every_protocol(reason):
    rest = REFUSAL_STATUS[reason]

    assert 400 <= rest < 500
    assert 400 <= evalai_status(rest) < 500
    assert 400 <= kaggle_status(rest) < 500


def test_the_codes_are_the_ones_the_api_has_always_answered_with():
    assert {reason.code for reason in Reason} == {
        "not_authenticated", "email_not_verified", "not_open", "ended", "empty_file", "too_large", "not_csv",
        "total_limit", "daily_limit", "not_owner", "not_scored", "disqualified", "final_limit", "expired",
        "bad_token", "incomplete", "not_uploaded",
    }  # fmt: skip
    assert SubmissionRefused(Reason.FINAL_SELECTION_CLOSED, "closed").code == "ended"


def test_no_module_but_the_mappers_turns_a_refusal_into_a_status():
    offenders = []
    for path in project_modules():
        name = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(), filename=name)
        for node in ast.walk(tree):
            caught = isinstance(node, ast.ExceptHandler) and "SubmissionRefused" in ast.unparse(
                node.type or node
            )
            mapped = isinstance(node, ast.Name) and node.id in {"REFUSAL_STATUS", "refusal_status"}
            if (caught and name not in MAPPERS | PAGES) or (mapped and name not in MAPPERS):
                offenders.append(f"{name}:{node.lineno}")
            statused = isinstance(node, ast.Call) and ast.unparse(node.func) == "SubmissionRefused"
            if statused and any(keyword.arg in {"status", "status_code"} for keyword in node.keywords):
                offenders.append(f"{name}:{node.lineno} (a status on the refusal)")
    assert offenders == []
    assert project_modules(), "the walk found the project's modules"
