"""A real worker meets a challenge whose hidden solution storage has lost: the submission fails on its first
delivery with the host-side message, and the worker's log tells the hosts which file is missing."""

import re

import pytest
from rest_framework.test import APIClient

from projects.services import challenge_import_bundle
from submissions.models import Submission
from tests.bundles import predictions_csv, write_bundle
from tests.conftest import upload
from tests.factories import UserFactory
from tests.processes import CeleryWorker, wait_for

pytestmark = [pytest.mark.slow]


def test_a_lost_hidden_solution_fails_the_submission_at_once_and_the_log_names_the_file(
    transactional_db, tmp_path
):
    challenge = challenge_import_bundle(write_bundle(tmp_path / "bundle", rows=20)).challenge
    lost = challenge.solution.file.name
    challenge.solution.file.storage.delete(lost)
    worker = CeleryWorker("worker", tmp_path).start()
    try:
        client = APIClient()
        client.force_authenticate(UserFactory())
        response = client.post(
            f"/api/v1/challenges/{challenge.slug}/submissions/",
            {"file": upload(predictions_csv(20, correct=10))},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        submission_id = response.json()["id"]
        row = wait_for(
            lambda: Submission.objects.filter(pk=submission_id, status__in=Submission.FINAL_STATUSES).first(),
            timeout=60,
            message="the submission to end",
        )
        shown = client.get(f"/api/v1/submissions/{submission_id}/").json()
    finally:
        worker.stop()

    assert (row.status, row.attempts) == (Submission.Status.FAILED, 1)
    assert shown["error"].startswith("This challenge's scoring is broken")
    assert lost not in str(shown)
    log = worker.output()
    assert re.search(
        rf"ERROR .*Submission {submission_id} failed on the hub's side.*{re.escape(lost)}", log
    ), log
    assert "Retry in" not in log and "interrupted" not in log
