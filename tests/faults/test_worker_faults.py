"""Workers die mid-task and tasks run over time: real `celery worker` processes on a private Redis."""

import os
import signal
import subprocess

import pytest

from submissions.models import Submission
from tests.bundles import expected_scores
from tests.faults.helpers import (
    learner_client,
    stored_outcomes,
    submit,
    use_broker,
    wait_until_final,
    wait_until_running,
)
from tests.processes import wait_for

pytestmark = [pytest.mark.slow]


def _holder(workers, task_id: str):
    """The worker whose log says it received this task."""
    return next(w for w in workers if f"[{task_id}] received" in w.output())


def test_a_worker_killed_mid_scoring_leaves_the_submission_to_another_worker_which_scores_it_once(
    audit, make_challenge, private_redis, delay_file, start_worker
):
    challenge = make_challenge(daily_limit=100)
    delay_file.write_text("1.5")
    workers = [start_worker("first"), start_worker("second")]
    client = learner_client()

    with use_broker(private_redis.url):
        ids = [submit(client, challenge, correct=n) for n in range(4, 10)]
        victim = wait_until_running(ids[0])
        holder = wait_for(lambda: _holder(workers, victim.task_id), message="the worker holding it")
        holder.kill()  # SIGKILL to the whole process group: the task is never acknowledged
        rows = wait_until_final(ids, timeout=90)

    survivor = next(w for w in workers if w is not holder)
    for position, submission_id in enumerate(ids):
        row = rows[submission_id]
        assert row.status == Submission.Status.SCORED, row.error
        assert row.public_score == pytest.approx(expected_scores(20, correct=position + 4)[0])
    # Redis gave the unacknowledged message to the survivor after the visibility timeout: same delivery id,
    # second attempt.
    assert (rows[victim.pk].task_id, rows[victim.pk].attempts) == (victim.task_id, 2)
    assert f"[{victim.task_id}] received" in survivor.output()
    expected = {(submission_id, "scored"): 1 for submission_id in ids}
    assert audit() == expected
    assert stored_outcomes(w.output() for w in workers) == expected


def test_a_killed_pool_process_is_redelivered_at_once_and_scored_once(
    audit, challenge, private_redis, delay_file, start_worker
):
    delay_file.write_text("1.5")
    worker = start_worker("only")
    client = learner_client()

    with use_broker(private_redis.url):
        submission_id = submit(client, challenge)
        first_claim = wait_until_running(submission_id)
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(worker.process.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) == 1, children
        os.kill(int(children[0]), signal.SIGKILL)
        row = wait_until_final([submission_id], timeout=30)[submission_id]

    # task_reject_on_worker_lost: the main process put the message back itself, no visibility timeout needed.
    assert "WorkerLostError" in worker.output()
    assert row.status == Submission.Status.SCORED, row.error
    assert (row.task_id, row.attempts) == (first_claim.task_id, 2)
    assert audit() == stored_outcomes([worker.output()]) == {(submission_id, "scored"): 1}
    assert worker.process.poll() is None


def test_a_submission_over_the_time_limit_fails_with_a_message_and_the_worker_goes_on(
    audit, challenge, private_redis, delay_file, start_worker
):
    worker = start_worker("only", SCORING_SOFT_TIME_LIMIT="2", SCORING_TIME_LIMIT="4")
    client = learner_client()

    with use_broker(private_redis.url):
        delay_file.write_text("30")
        slow = submit(client, challenge)
        slow_row = wait_until_final([slow], timeout=30)[slow]
        delay_file.write_text("0")
        fast = submit(client, challenge, correct=20)
        fast_row = wait_until_final([fast], timeout=30)[fast]

    assert slow_row.status == Submission.Status.FAILED
    assert "took longer than 2 seconds and was stopped" in slow_row.error
    assert slow_row.public_score is None
    assert fast_row.status == Submission.Status.SCORED
    assert fast_row.public_score == 1.0
    assert worker.process.poll() is None
    assert audit() == stored_outcomes([worker.output()]) == {(slow, "failed"): 1, (fast, "scored"): 1}


def test_a_submission_that_ignores_the_soft_limit_fails_at_the_hard_limit_and_the_worker_goes_on(
    audit, challenge, private_redis, delay_file, start_worker
):
    worker = start_worker("only", SCORING_SOFT_TIME_LIMIT="1", SCORING_TIME_LIMIT="3")
    client = learner_client()

    with use_broker(private_redis.url):
        delay_file.write_text("30 uninterruptible")
        stuck = submit(client, challenge)
        stuck_row = wait_until_final([stuck], timeout=30)[stuck]
        delay_file.write_text("0")
        fast = submit(client, challenge, correct=20)
        fast_row = wait_until_final([fast], timeout=30)[fast]

    assert "Hard time limit (3" in worker.output()
    assert stuck_row.status == Submission.Status.FAILED
    assert "took longer than 3 seconds and was stopped" in stuck_row.error
    assert stuck_row.attempts == 1  # failed at once, not retried until the attempts ran out
    assert fast_row.status == Submission.Status.SCORED
    assert worker.process.poll() is None
    assert audit() == stored_outcomes([worker.output()]) == {(stuck, "failed"): 1, (fast, "scored"): 1}
