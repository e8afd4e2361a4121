"""Fixtures for fault tests: private servers, worker processes on them, and the proof that counts outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults import audit as outcome_audit
from tests.faults.servers import PrivatePostgres, PrivateRedis
from tests.processes import CeleryWorker

# Time limits short enough for a test, in the order production keeps them: soft < hard < visibility timeout.
FAULT_LIMITS = {
    "SCORING_SOFT_TIME_LIMIT": "4",
    "SCORING_TIME_LIMIT": "6",
    "HUB_BROKER_VISIBILITY_TIMEOUT": "8",
    "HUB_BROKER_RESTORE_INTERVAL": "1",
    "HUB_BROKER_RESTORE_THROTTLE": "1",
    "HUB_SWEEP_EVERY_SECONDS": "1",
    "HUB_SWEEP_QUEUED_AFTER_SECONDS": "2",
    "HUB_SWEEP_RUNNING_GRACE_SECONDS": "1",
}


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path).start()
    yield redis
    redis.stop()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        yield server.start()
    finally:
        server.destroy()


@pytest.fixture
def delay_file(tmp_path) -> Path:
    """Write seconds into it to slow every scoring down (tests/slow_scoring.py)."""
    path = tmp_path / "scoring-delay"
    path.write_text("0")
    return path


@pytest.fixture
def fault_env(private_redis, delay_file) -> dict[str, str]:
    return {
        "CELERY_BROKER_URL": private_redis.url,
        "HUB_TEST_SCORING_DELAY_FILE": str(delay_file),
        **FAULT_LIMITS,
    }


@pytest.fixture
def start_worker(tmp_path, fault_env):
    """start_worker(name, **env) -> a running `celery worker` on the private broker; all are stopped at the end."""
    workers: list[CeleryWorker] = []

    def start(name: str, *, beat: bool = False, concurrency: int = 1, **env: str) -> CeleryWorker:
        worker = CeleryWorker(name, tmp_path, concurrency=concurrency, env={**fault_env, **env})
        if beat:
            # The sweeper runs as in `make run`: beat sends it on schedule, a worker runs it.
            worker.command += ["--beat", f"--schedule={tmp_path / f'{name}-beat-schedule'}"]
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def audit(transactional_db):
    """audit() -> Counter of (submission id, status) stored, as the database's own trigger recorded them."""
    from django.db import connection

    with connection.cursor() as cursor:
        outcome_audit.install(cursor, connection.vendor)

    def read():
        with connection.cursor() as cursor:
            return outcome_audit.outcomes(cursor)

    yield read
    with connection.cursor() as cursor:
        outcome_audit.remove(cursor, connection.vendor)
