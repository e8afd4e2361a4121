"""The processes of a deployment, without Docker: gunicorn with hub/gunicorn_conf.py, two `celery worker`s and one
`celery beat`, on the test database and the configured broker (SQLite and the filesystem broker, or PostgreSQL and
Redis). Uploads go through the REST API over HTTP; /metrics is read as Prometheus reads it."""

import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from projects.services import challenge_import_bundle
from submissions.models import Submission
from tests.bundles import predictions_csv, write_bundle
from tests.factories import UserFactory
from tests.faults.servers import free_port
from tests.processes import BIN, CeleryBeat, CeleryWorker, WebServer, wait_for

pytestmark = [pytest.mark.slow]

UPLOADS = 8


@pytest.fixture
def deployment(transactional_db, tmp_path):
    """gunicorn (2 workers), worker1 and worker2, and beat sending the sweeper every second."""
    # Each scoring waits 0.3 s first (the fault tests' hook), so that one worker cannot take every upload.
    delay = tmp_path / "scoring-delay"
    delay.write_text("0.3")
    port = free_port()
    web = WebServer(tmp_path, port=port)
    web.command = [str(BIN / "gunicorn"), "--config=python:hub.gunicorn_conf", f"--bind=127.0.0.1:{port}"]
    web.env |= {"WEB_CONCURRENCY": "2"}
    processes = {
        "web": web,
        "worker1": CeleryWorker("worker1", tmp_path, env={"HUB_TEST_SCORING_DELAY_FILE": str(delay)}),
        "worker2": CeleryWorker("worker2", tmp_path, env={"HUB_TEST_SCORING_DELAY_FILE": str(delay)}),
        "beat": CeleryBeat(tmp_path, env={"HUB_SWEEP_EVERY_SECONDS": "1"}),
    }
    try:
        for process in processes.values():
            process.start()
        yield processes
    finally:
        for process in processes.values():
            process.stop()


def scrape(url: str) -> dict[str, dict[tuple, float]]:
    response = httpx.get(f"{url}/metrics", timeout=10)
    response.raise_for_status()
    return {
        family.name: {
            (sample.name, *sorted(sample.labels.items())): sample.value for sample in family.samples
        }
        for family in text_string_to_metric_families(response.text)
    }


def test_web_two_workers_and_beat_score_every_api_upload_and_metrics_count_them(deployment, tmp_path):
    web = deployment["web"]
    challenge = challenge_import_bundle(write_bundle(tmp_path / "bundle", rows=40, daily_limit=50)).challenge
    UserFactory(username="ada")
    with httpx.Client(base_url=web.url, timeout=30) as client:
        token = client.post(
            "/api/v1/auth/token/", data={"username": "ada", "password": "correct horse battery staple"}
        )
        assert token.status_code in (200, 201), token.text
        client.headers["Authorization"] = f"Token {token.json()['token']}"
        ids = []
        for correct in range(20, 20 + UPLOADS):
            response = client.post(
                f"/api/v1/challenges/{challenge.slug}/submissions/",
                files={"file": ("predictions.csv", predictions_csv(40, correct=correct), "text/csv")},
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])

        def all_finished():
            statuses = [client.get(f"/api/v1/submissions/{i}/").json()["status"] for i in ids]
            return statuses if all(s in Submission.FINAL_STATUSES for s in statuses) else None

        statuses = wait_for(all_finished, timeout=120, interval=0.5, message="every upload to be scored")

    assert statuses == ["scored"] * UPLOADS
    stored_by = {
        name: {int(i) for i in re.findall(r"Submission (\d+) stored as scored", deployment[name].output())}
        for name in ("worker1", "worker2")
    }
    assert stored_by["worker1"] | stored_by["worker2"] == set(ids)
    assert not stored_by["worker1"] & stored_by["worker2"], "a submission was stored twice"
    assert stored_by["worker1"] and stored_by["worker2"], f"one worker took every upload: {stored_by}"

    # beat sent the sweeper on schedule, and a worker ran it.
    wait_for(
        lambda: "Sending due task sweep-stuck-submissions (submissions.sweep)" in deployment["beat"].output(),
        timeout=30,
        message="beat to send the sweeper",
    )
    wait_for(
        lambda: any(
            re.search(r"Task submissions\.sweep\[[\w-]+\] succeeded", deployment[name].output())
            for name in ("worker1", "worker2")
        ),
        timeout=30,
        message="a worker to run the sweeper",
    )

    metrics = scrape(web.url)
    scored = Submission.objects.filter(status=Submission.Status.SCORED).count()
    assert scored >= UPLOADS
    assert metrics["hub_submissions_by_status"][("hub_submissions_by_status", ("status", "scored"))] == scored
    assert metrics["hub_submissions_by_status"][("hub_submissions_by_status", ("status", "queued"))] == 0
    per_challenge = metrics["hub_submissions"]
    assert per_challenge[("hub_submissions", ("challenge", challenge.slug), ("status", "scored"))] >= UPLOADS
    histogram = metrics["hub_scoring_seconds"]
    assert histogram[("hub_scoring_seconds_count",)] >= UPLOADS
    # Every upload waited 0.3 s before the engine ran, so none is in the 0.25 s bucket.
    assert histogram[("hub_scoring_seconds_bucket", ("le", "0.25"))] <= scored - UPLOADS
    assert histogram[("hub_scoring_seconds_sum",)] >= 0.3 * UPLOADS
    assert metrics["hub_broker_up"][("hub_broker_up",)] == 1
    # Beat sends the sweeper every second here, so the queue is rarely empty: its depth is there, that is all.
    assert [depth >= 0 for depth in metrics["hub_queue_depth"].values()] == [True]
