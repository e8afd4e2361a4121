"""Errors on the hub's side (the hidden solution gone, unreadable or damaged, a challenge the engine refuses) fail a
submission at once, tell the learner the challenge's scoring is broken, and tell the hosts what is wrong."""

import logging
import os

import pytest
from rest_framework.test import APIClient

from projects.models import Challenge
from submissions.models import Submission
from submissions.services.scoring import submission_score
from tests.bundles import predictions_csv
from tests.conftest import upload
from workers.scoring import solution as engine_solution

pytestmark = pytest.mark.django_db

BROKEN = "This challenge's scoring is broken"


@pytest.fixture(autouse=True)
def cold_engine():
    """A fresh worker process: no solution parsed yet (a warm one keeps scoring from what it parsed)."""
    engine_solution._cached.cache_clear()
    yield
    engine_solution._cached.cache_clear()


def _submit_and_score(challenge, user) -> tuple[Submission, dict]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"file": upload(predictions_csv(20, correct=10))},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    submission_id = response.json()["id"]
    submission_score(submission_id=submission_id, delivery_id="first-delivery")
    return Submission.objects.get(pk=submission_id), client.get(
        f"/api/v1/submissions/{submission_id}/"
    ).json()


def _lose(challenge) -> str:
    name = challenge.solution.file.name
    challenge.solution.file.storage.delete(name)
    return name


def _damage(challenge) -> str:
    path = challenge.solution.file.path
    with open(path, "ab") as handle:
        handle.write(b"extra,row,Public\n")
    return challenge.solution.file.name


def _unreadable(challenge) -> str:
    name = challenge.solution.file.name
    storage = challenge.solution.file.storage
    storage.delete(name)
    os.makedirs(storage.path(name))  # a folder where the file was: it exists, and cannot be read
    return name


@pytest.mark.parametrize("breakage", [_lose, _damage, _unreadable], ids=["missing", "damaged", "a folder"])
def test_a_broken_hidden_solution_fails_the_first_delivery_with_a_host_side_message(
    breakage, challenge, user, caplog
):
    file_name = breakage(challenge)

    with caplog.at_level(logging.ERROR, logger="submissions.scoring"):
        row, shown = _submit_and_score(challenge, user)

    # Failed by the first delivery, not left to retries that end in "interrupted 3 times".
    assert (row.status, row.attempts, row.task_id) == (Submission.Status.FAILED, 1, "first-delivery")
    assert row.error.startswith(BROKEN) and "hosts have been told" in row.error
    assert challenge.slug in row.internal_error and file_name in row.internal_error
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(challenge.slug in message and file_name in message for message in errors), errors
    # The learner sees the sentence, never the hub's paths or the internal text.
    assert shown["status"] == "failed" and shown["error"] == row.error
    assert "internal_error" not in shown and file_name not in str(shown)
    # What the challenge's admin page shows the hosts.
    from submissions.selectors import challenge_scoring_problem

    assert challenge_scoring_problem(challenge=challenge).internal_error == row.internal_error


def test_a_challenge_the_engine_refuses_fails_submissions_as_a_host_side_error(challenge, user, caplog):
    # Edited in the database after the import checked it: the engine refuses the spec.
    Challenge.objects.filter(pk=challenge.pk).update(extra_metrics=["no-such-metric"])
    challenge.refresh_from_db()

    with caplog.at_level(logging.ERROR, logger="submissions.scoring"):
        row, _ = _submit_and_score(challenge, user)

    assert (row.status, row.attempts) == (Submission.Status.FAILED, 1)
    assert row.error.startswith(BROKEN)
    assert "no-such-metric" in row.internal_error
    assert any(challenge.slug in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_a_challenge_with_no_solution_fails_submissions_as_a_host_side_error(challenge, user):
    challenge.solution.delete()
    challenge = Challenge.objects.get(pk=challenge.pk)

    row, _ = _submit_and_score(challenge, user)

    assert (row.status, row.attempts) == (Submission.Status.FAILED, 1)
    assert row.error.startswith(BROKEN)
    assert "has no hidden solution" in row.internal_error


def test_the_submission_admin_and_the_challenge_admin_show_the_hosts_what_is_wrong(
    challenge, user, admin_client
):
    file_name = _lose(challenge)
    row, _ = _submit_and_score(challenge, user)

    submission_page = admin_client.get(f"/admin/submissions/submission/{row.pk}/change/")
    challenge_page = admin_client.get(f"/admin/projects/challenge/{challenge.pk}/change/")

    assert submission_page.status_code == challenge_page.status_code == 200
    assert file_name in submission_page.content.decode()
    assert file_name in challenge_page.content.decode()
