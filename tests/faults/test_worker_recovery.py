"""A whole worker dies mid-task: its submission is taken back through the lease and scored by another worker,
once, within 30 s, on the broker the settings name (the embedded filesystem broker by default) and on Redis.

Real `celery worker` and `celery beat` processes with the hub's own recovery settings (lease, sweeper period,
time limits, visibility timeout), not the short limits of the other fault tests: the point is how quickly the
defaults recover.
"""

from __future__ import annotations

import contextlib
import re

import pytest

from submissions.models import Submission
from tests.bundles import expected_scores
from tests.faults.helpers import learner_client, stored_outcomes, submit, use_broker, wait_until_final
from tests.processes import CeleryBeat, CeleryWorker, wait_for

pytestmark = [pytest.mark.slow]

# The promise of docs/reliability-and-security.md: a dead worker's submission is scored again within this long.
RECOVERY_SECONDS = 30


@pytest.fixture(params=["configured", "redis"])
def broker(request) -> tuple[str, dict[str, str]]:
    """("configured", {}) runs on the test settings' broker (the embedded one unless CELERY_BROKER_URL names
    another); ("redis", {...}) on a private redis-server."""
    if request.param == "configured":
        return "configured", {}
    redis = request.getfixturevalue("private_redis")
    return redis.url, {"CELERY_BROKER_URL": redis.url}


@pytest.fixture
def processes():
    started: list[CeleryWorker] = []

    def start(process: CeleryWorker) -> CeleryWorker:
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()


def _broker_in_use(url: str):
    return contextlib.nullcontext() if url == "configured" else use_broker(url)


def test_a_killed_worker_s_submission_is_scored_by_another_worker_within_30_s_and_stored_once(
    broker, audit, challenge, tmp_path, delay_file, processes
):
    url, broker_env = broker
    env = {"HUB_TEST_SCORING_DELAY_FILE": str(delay_file), **broker_env}
    delay_file.write_text("100")  # the first delivery could never finish on its own before the test gives up
    processes(CeleryBeat(tmp_path, env=env))
    doomed = processes(CeleryWorker("doomed", tmp_path, env=env))
    client = learner_client()

    with _broker_in_use(url):
        submission_id = submit(client, challenge, correct=15)
        first = wait_for(
            lambda: Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING).first(),
            timeout=60,
            message="the first delivery to claim the submission",
        )
        assert f"[{first.task_id}] received" in doomed.output()
        # Started after the claim, so only a recovery can hand it the submission.
        survivor = processes(CeleryWorker("survivor", tmp_path, env=env))
        delay_file.write_text("0")
        doomed.kill()  # SIGKILL to the main process and its pool at once: nothing is acknowledged or put back
        row = wait_until_final([submission_id], timeout=RECOVERY_SECONDS)[submission_id]

    assert row.status == Submission.Status.SCORED, row.error
    assert row.public_score == pytest.approx(expected_scores(20, correct=15)[0])
    # A new delivery sent by the sweeper, not the dead worker's message coming back.
    assert row.task_id != first.task_id
    assert row.attempts == 2
    assert f"[{row.task_id}] received" in survivor.output()
    assert re.search(r"Sweeper: 0 failed, 1 recovered from running", survivor.output())
    expected = {(submission_id, "scored"): 1}
    assert audit() == expected
    # The worker logs the outcome just after its commit, which the test may see first.
    wait_for(
        lambda: stored_outcomes([survivor.output()]),
        timeout=10,
        message="the survivor's log line of the stored outcome",
    )
    assert stored_outcomes([doomed.output(), survivor.output()]) == expected


def test_the_dead_worker_s_own_message_that_redis_hands_out_later_stores_nothing(
    audit, challenge, tmp_path, delay_file, private_redis, processes
):
    env = {"HUB_TEST_SCORING_DELAY_FILE": str(delay_file), "CELERY_BROKER_URL": private_redis.url}
    delay_file.write_text("100")
    processes(CeleryBeat(tmp_path, env=env))
    doomed = processes(CeleryWorker("doomed", tmp_path, env=env))
    client = learner_client()

    with use_broker(private_redis.url):
        submission_id = submit(client, challenge, correct=15)
        first = wait_for(
            lambda: Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING).first(),
            timeout=60,
            message="the first delivery to claim the submission",
        )
        survivor = processes(CeleryWorker("survivor", tmp_path, env=env))
        delay_file.write_text("0")
        doomed.kill()
        scored = wait_until_final([submission_id], timeout=RECOVERY_SECONDS)[submission_id]
        # A worker with a short visibility timeout puts the dead worker's unacknowledged message back now, as
        # Redis does for every worker once the real timeout (an hour) has passed.
        late = processes(
            CeleryWorker(
                "late",
                tmp_path,
                env={
                    **env,
                    "SCORING_SOFT_TIME_LIMIT": "1",
                    "SCORING_TIME_LIMIT": "2",
                    "HUB_BROKER_VISIBILITY_TIMEOUT": "3",
                    "HUB_BROKER_RESTORE_INTERVAL": "1",
                    "HUB_BROKER_RESTORE_THROTTLE": "1",
                },
            )
        )
        wait_for(
            lambda: any(
                f"submissions.score[{first.task_id}] succeeded" in worker.output()
                for worker in (survivor, late)
            ),
            timeout=60,
            message="the dead worker's message to come back and end",
        )

    row = Submission.objects.get(pk=submission_id)
    assert (row.status, row.task_id, row.attempts, row.public_score) == (
        Submission.Status.SCORED,
        scored.task_id,
        scored.attempts,
        scored.public_score,
    )
    assert row.finished_at == scored.finished_at
    expected = {(submission_id, "scored"): 1}
    assert audit() == expected
    assert stored_outcomes(w.output() for w in (doomed, survivor, late)) == expected


def test_a_scoring_longer_than_its_lease_keeps_it_while_its_worker_lives(
    audit, challenge, tmp_path, delay_file, processes
):
    env = {
        "HUB_TEST_SCORING_DELAY_FILE": str(delay_file),
        "HUB_SCORING_LEASE_SECONDS": "2",
        "HUB_SWEEP_EVERY_SECONDS": "0.5",
    }
    delay_file.write_text("8")  # four leases long
    processes(CeleryBeat(tmp_path, env=env))
    worker = processes(CeleryWorker("slow", tmp_path, concurrency=2, env=env))
    client = learner_client()

    submission_id = submit(client, challenge, correct=15)
    row = wait_until_final([submission_id], timeout=60)[submission_id]

    assert row.status == Submission.Status.SCORED, row.error
    assert row.attempts == 1  # never taken back while its worker renewed the lease
    assert "recovered from running" not in worker.output()
    wait_for(
        lambda: stored_outcomes([worker.output()]), timeout=10, message="the log line of the stored outcome"
    )
    assert audit() == stored_outcomes([worker.output()]) == {(submission_id, "scored"): 1}
