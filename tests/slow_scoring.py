"""A test worker's Celery app: the hub's own, with every scoring slowed down, so that a fault test can kill a worker
in the middle of a task. `celery -A tests.slow_scoring worker` (tests/processes.py CeleryWorker starts it so when its
environment names a delay file); nothing of it is in the hub's own code.

The file named by HUB_TEST_SCORING_DELAY_FILE holds the seconds each scoring waits once its submission is claimed,
before the engine runs; it is read at each task, so a test can change it while the worker runs. It may add
"uninterruptible" to ignore the soft time limit, as a C extension that never returns to Python would; only the hard
limit stops that.
"""

import os
import time
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from hub.celery import app

DELAY_FILE_VARIABLE = "HUB_TEST_SCORING_DELAY_FILE"

__all__ = ["app"]


def wait_as_the_delay_file_says() -> None:
    path = os.environ.get(DELAY_FILE_VARIABLE, "")
    if not path or not Path(path).exists():
        return
    seconds, *mode = Path(path).read_text().split() or ["0"]
    deadline = time.monotonic() + float(seconds)
    while (left := deadline - time.monotonic()) > 0:
        try:
            time.sleep(left)
        except SoftTimeLimitExceeded:
            if "uninterruptible" not in mode:
                raise


@worker_process_init.connect
def slow_down_scoring(**_) -> None:
    """In each pool process (Django is set up by then): the scoring service's call of the engine waits first."""
    from submissions.services import scoring

    score_file = scoring.score_file

    def slow_score_file(*args, **kwargs):
        wait_as_the_delay_file_says()
        return score_file(*args, **kwargs)

    scoring.score_file = slow_score_file
