"""The core loop for real: upload over the API, a `celery worker` process scores it, the leaderboard shows it."""

import json

import pytest
from rest_framework.test import APIClient

from projects.services import challenge_import_bundle
from tests.bundles import expected_scores, predictions_csv, write_bundle
from tests.conftest import upload
from tests.factories import UserFactory
from tests.processes import CeleryWorker, wait_for

pytestmark = [pytest.mark.slow]


def test_a_worker_process_scores_an_api_upload_and_the_leaderboard_shows_it(celery_worker, tmp_path):
    challenge = challenge_import_bundle(write_bundle(tmp_path / "bundle", rows=40)).challenge
    learner = UserFactory(username="ada")
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "ada", "password": "correct horse battery staple"}
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    good = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"file": upload(predictions_csv(40, correct=30))},
        format="multipart",
    )
    bad = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"file": upload(b"id;label\n1;a\n")},
        format="multipart",
    )
    assert good.status_code == bad.status_code == 201

    def finished(submission_id: int):
        body = client.get(f"/api/v1/submissions/{submission_id}/").json()
        return body if body["status"] in ("scored", "failed") else None

    good_result = wait_for(
        lambda: finished(good.json()["id"]), timeout=60, message="the good file to be scored"
    )
    bad_result = wait_for(lambda: finished(bad.json()["id"]), timeout=60, message="the bad file to fail")

    assert good_result["status"] == "scored", good_result["error"]
    assert good_result["public_score"] == pytest.approx(expected_scores(40, correct=30)[0])
    assert bad_result["status"] == "failed"
    assert "';'" in bad_result["error"] or "semicolon" in bad_result["error"].lower()
    rows = APIClient().get(f"/api/v1/challenges/{challenge.slug}/leaderboard/").json()["results"]
    assert [(r["rank"], r["participant"]) for r in rows] == [(1, learner.username)]
    assert rows[0]["score"] == pytest.approx(good_result["public_score"])


def test_a_worker_started_after_a_challenge_opened_has_its_solution_parsed_before_the_first_task(
    transactional_db, tmp_path
):
    challenge_import_bundle(write_bundle(tmp_path / "bundle", rows=40))
    worker = CeleryWorker("warm", tmp_path, env={"LOG_FORMAT": "json"}).start()
    try:
        lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
    finally:
        worker.stop()
    # By the worker's main process, before it says it is ready (it then takes tasks and answers the ping of its
    # health check): the pool processes are forked from it warm.
    ready = next(line for line in lines if line["message"].endswith(" ready."))
    before_ready = lines[: lines.index(ready)]
    warmed_by = [
        line["process"] for line in before_ready if line["message"].startswith("Worker warm-up: 1 solutions")
    ]
    assert warmed_by == [ready["process"]], lines
