"""LOG_FORMAT=json: one JSON object a line, and the submission id on every line a scoring task logs."""

import json
import logging

import pytest

from hub import logs
from projects.services import challenge_import_bundle
from submissions.models import Submission
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv, write_bundle
from tests.conftest import upload
from tests.factories import UserFactory
from tests.processes import CeleryWorker, wait_for


def record(message: str = "hello") -> logging.LogRecord:
    return logging.LogRecord("submissions.scoring", logging.INFO, __file__, 1, message, (), None)


def test_lines_inside_a_scoring_task_carry_its_submission_and_task_ids():
    context_filter, formatter = logs.ContextFilter(), logs.PlainFormatter("%(levelname)s %(message)s")
    task = type("Task", (), {"name": "submissions.score"})()

    logs._enter_task(task_id="delivery-1", task=task, args=(42,), kwargs={})
    try:
        inside = record()
        assert context_filter.filter(inside)
    finally:
        logs._leave_task()
    outside = record()
    context_filter.filter(outside)

    assert (inside.submission_id, inside.task_id) == (42, "delivery-1")
    assert formatter.format(inside) == "INFO hello submission_id=42 task_id=delivery-1"
    assert not hasattr(outside, "submission_id")
    assert formatter.format(outside) == "INFO hello"


def test_other_tasks_carry_no_submission_id():
    task = type("Task", (), {"name": "submissions.sweep"})()
    logs._enter_task(task_id="sweep-1", task=task, args=(), kwargs={})
    line = record()
    logs.ContextFilter().filter(line)
    logs._leave_task()
    assert not hasattr(line, "submission_id")


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logs.logging_config(log_format="xml", level="INFO")


@pytest.mark.slow
def test_a_json_logging_worker_puts_the_submission_id_on_every_line_of_the_task(transactional_db, tmp_path):
    challenge = challenge_import_bundle(write_bundle(tmp_path / "bundle", rows=40)).challenge
    learner = UserFactory()
    worker = CeleryWorker("json-worker", tmp_path, env={"LOG_FORMAT": "json"}).start()
    try:
        good = submission_create(
            user=learner, challenge=challenge, file=upload(predictions_csv(40, correct=30))
        )
        bad = submission_create(user=learner, challenge=challenge, file=upload(b"id;label\n1;a\n"))
        for submission in (good, bad):
            wait_for(
                lambda s=submission: f"Submission {s.pk} finished in" in worker.output(),
                timeout=60,
                message=f"submission {submission.pk} to be scored",
            )
    finally:
        worker.stop()

    assert set(Submission.objects.filter(pk__in=[good.pk, bad.pk]).values_list("status", flat=True)) == {
        "scored",
        "failed",
    }
    lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
    assert lines, worker.output()
    assert all({"time", "level", "logger", "process", "message"} <= set(line) for line in lines)
    # The worker's main process warms up before its pool starts (workers/warmup.py) and receives tasks; its pool
    # process runs them and logs nothing else, so every line of the pool process is a line of a task: the engine's,
    # Django's and Celery's own alike.
    main_process = next(line["process"] for line in lines if line["message"].endswith(" ready."))
    warm_up = [line for line in lines if line["logger"] == "workers.warmup"]
    assert warm_up and all("submission_id" not in line for line in warm_up)
    # Only the scoring tasks' lines: a dataset version's finishing task (the bundle's data) runs there too.
    task_lines = [
        line
        for line in lines
        if line["process"] != main_process
        and line not in warm_up
        and line.get("data", {}).get("name", "submissions.score") == "submissions.score"
    ]
    assert len(task_lines) >= 6, task_lines  # stored as, finished in, Task succeeded: for each submission
    assert all("submission_id" in line and "task_id" in line for line in task_lines), task_lines
    for submission in (good, bad):
        task_id = Submission.objects.get(pk=submission.pk).task_id
        own = [line for line in task_lines if line["task_id"] == task_id]
        assert {line["submission_id"] for line in own} == {submission.pk}
        assert {line["logger"] for line in own} >= {"submissions.scoring", "celery.app.trace"}
    # Lines outside any scoring task (the worker starting, a task being received) carry none.
    assert all("submission_id" not in line for line in lines if line["process"] == main_process)
