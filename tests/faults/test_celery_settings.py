"""The Celery settings that the fault handling relies on, and the guard on the visibility timeout."""

import subprocess
import sys

from hub.celery import app
from tests.processes import BIN


def test_tasks_are_acknowledged_late_and_requeued_when_their_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert (
        app.conf.broker_connection_max_retries is None
    )  # a worker waits for the broker however long it is down
    assert app.conf.beat_schedule["sweep-stuck-submissions"]["task"] == "submissions.sweep"


def _settings_with(tmp_path, **environment: str) -> subprocess.CompletedProcess:
    code = "from django.conf import settings; print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    env = {
        "PATH": str(BIN),
        "HUB_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "hub.settings.base",
        **environment,
    }
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_redis_keeps_tasks_invisible_for_longer_than_the_hard_time_limit(tmp_path):
    done = _settings_with(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > app.conf.task_time_limit


def test_a_visibility_timeout_shorter_than_the_hard_time_limit_stops_the_start(tmp_path):
    done = _settings_with(
        tmp_path,
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        SCORING_TIME_LIMIT="600",
        HUB_BROKER_VISIBILITY_TIMEOUT="300",
    )
    assert done.returncode != 0
    assert "HUB_BROKER_VISIBILITY_TIMEOUT must be longer than SCORING_TIME_LIMIT" in done.stderr
