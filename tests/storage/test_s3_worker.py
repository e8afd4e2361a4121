"""A real `celery worker` process configured for S3 by its environment alone scores an upload from the bucket."""

import pytest

from tests.bundles import expected_scores, predictions_csv
from tests.processes import CeleryWorker, wait_for
from tests.submissions.test_submission_api import submit

pytestmark = [pytest.mark.slow]


def test_a_worker_configured_by_environment_scores_from_the_buckets(
    transactional_db, s3, s3_environment, make_challenge, auth_client, tmp_path
):
    challenge = make_challenge(rows=40)
    worker = CeleryWorker("s3-worker", tmp_path, env=s3_environment).start()
    try:
        submission_id = submit(auth_client, challenge.slug, predictions_csv(40, correct=30)).json()["id"]

        def finished():
            body = auth_client.get(f"/api/v1/submissions/{submission_id}/").json()
            return body if body["status"] in ("scored", "failed") else None

        result = wait_for(finished, timeout=60, message="the upload to be scored from S3")
    finally:
        worker.stop()
    assert result["status"] == "scored", result["error"]
    assert result["public_score"] == pytest.approx(expected_scores(40, correct=30)[0])
    assert any(key.startswith("submissions/") for key in s3.keys(s3.public))
