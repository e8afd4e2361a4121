"""Log context: the submission a worker is scoring, on every line logged while it does.

A Celery signal sets a context variable when a scoring task starts and clears it when the task ends; a logging
filter on the handler copies it onto each record, so lines from the engine, Django and Celery's own task logger
carry it too, not only the lines the scoring service writes. The task itself stays thin and knows nothing of this.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from celery.signals import task_postrun, task_prerun

# Tasks whose first argument is a submission id.
SUBMISSION_TASKS = {"submissions.score"}

_submission_id: ContextVar[int | None] = ContextVar("submission_id", default=None)
_task_id: ContextVar[str | None] = ContextVar("task_id", default=None)


class ContextFilter(logging.Filter):
    """Adds `submission_id` and `task_id` to records logged inside a scoring task; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        submission_id = _submission_id.get()
        if submission_id is not None:
            record.submission_id = submission_id
            record.task_id = _task_id.get()
        return True


class PlainFormatter(logging.Formatter):
    """The plain format, with ` submission_id=… task_id=…` at the end of lines logged inside a scoring task."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if getattr(record, "submission_id", None) is None:
            return line
        # On the message's own line, before a traceback.
        first, newline, rest = line.partition("\n")
        return f"{first} submission_id={record.submission_id} task_id={record.task_id}{newline}{rest}"


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING dict for `plain` (people reading a terminal) or `json` (one object a line, for collectors)."""
    if log_format not in ("plain", "json"):
        raise ValueError(f"LOG_FORMAT must be 'plain' or 'json', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "hub.logs.ContextFilter"}},
        "formatters": {
            "plain": {
                "()": "hub.logs.PlainFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
            # https://nhairs.github.io/python-json-logger/latest/quickstart/
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


@task_prerun.connect
def _enter_task(sender=None, task_id: str | None = None, task=None, args=None, kwargs=None, **extra) -> None:
    name = getattr(task, "name", None)
    if name not in SUBMISSION_TASKS:
        return
    submission_id = (kwargs or {}).get("submission_id", (args or [None])[0])
    _submission_id.set(submission_id)
    _task_id.set(task_id)


@task_postrun.connect
def _leave_task(sender=None, **extra) -> None:
    _submission_id.set(None)
    _task_id.set(None)
