"""The broker goes away: uploads still succeed, and the sweeper (run by beat, as `make run` does) sends again
what the broker lost. Real worker processes on a private Redis that the tests stop and restart."""

import re

import pytest
from django.core.files.storage import default_storage

from submissions.models import Submission
from tests.faults.helpers import (
    learner_client,
    stored_outcomes,
    submit,
    use_broker,
    wait_until_final,
)
from tests.processes import wait_for

pytestmark = [pytest.mark.slow]


def test_an_upload_while_the_broker_is_down_is_queued_and_scored_once_the_broker_is_back(
    audit, challenge, private_redis, start_worker
):
    worker = start_worker("worker", beat=True)
    client = learner_client()

    with use_broker(private_redis.url):
        private_redis.stop()
        submission_id = submit(client, challenge, correct=20)  # 201 and queued, with no broker to send to
        row = Submission.objects.get(pk=submission_id)
        assert row.status == Submission.Status.QUEUED
        assert default_storage.exists(row.file.name)

        private_redis.start()
        row = wait_until_final([submission_id], timeout=60)[submission_id]

    assert row.status == Submission.Status.SCORED, row.error
    assert row.public_score == 1.0
    assert _sent_again(worker.output()) >= 1
    assert audit() == stored_outcomes([worker.output()]) == {(submission_id, "scored"): 1}


def test_a_redis_restart_that_loses_every_queued_message_still_ends_with_each_submission_scored_once(
    audit, make_challenge, private_redis, delay_file, start_worker
):
    challenge = make_challenge(daily_limit=100)
    delay_file.write_text("0.4")
    workers = [start_worker("sweeping", beat=True), start_worker("plain")]
    client = learner_client()

    with use_broker(private_redis.url):
        ids = [submit(client, challenge, correct=n) for n in range(10)]
        # The workers have started taking work (the second upload is running or already done: on a loaded
        # machine a poll can miss its 0.4 s of running); the later ones are still queued in the broker.
        wait_for(
            lambda: Submission.objects.filter(pk=ids[1]).exclude(status=Submission.Status.QUEUED).exists(),
            timeout=60,
            message=f"submission {ids[1]} to be taken by a worker",
        )
        private_redis.stop()  # nothing is persisted: the queued messages are gone
        private_redis.start()
        rows = wait_until_final(ids, timeout=90)

    assert {row.status for row in rows.values()} == {Submission.Status.SCORED}
    assert all(row.public_score is not None for row in rows.values())
    # The sweeper (sent by beat, run by either worker), not luck, recovered the lost messages.
    assert sum(_sent_again(w.output()) for w in workers) >= 1
    expected = {(i, "scored"): 1 for i in ids}
    assert audit() == expected
    assert stored_outcomes(w.output() for w in workers) == expected


def _sent_again(log: str) -> int:
    return sum(int(n) for n in re.findall(r"Sweeper: .* (\d+) enqueued again", log))
