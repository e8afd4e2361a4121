"""Worker processes that start warm: solutions parsed before the first task, database connections kept between tasks.

Without this, the first task of each pool process parses its challenge's solution and every task opens a new
PostgreSQL connection: Celery's Django fixup closes them before and after each task unless CELERY_DB_REUSE_MAX is set
(hub/settings/base.py sets it). Connections are then treated as Django treats them between requests:
close_old_connections drops one that is older than CONN_MAX_AGE or broken (a database restart), so a retried task
gets a fresh one.
"""

from __future__ import annotations

import logging
import time

from celery import signals
from django.db import close_old_connections

logger = logging.getLogger(__name__)

# A pool process that is not up after worker_proc_alive_timeout (4 s) is killed, so the warm-up keeps well inside
# it; a larger solution is parsed by its first task, as before.
WARM_UP_SECONDS = 2.0
WARM_UP_MAX_BYTES = 16 * 1024 * 1024


def preload_solutions(
    *, budget_seconds: float = WARM_UP_SECONDS, max_bytes: int = WARM_UP_MAX_BYTES
) -> list[str]:
    """Parse the solutions of the open challenges into this process's cache, newest challenges first, within the
    budget. Returns the slugs loaded. A solution that cannot be loaded is logged and left to its first task."""
    from projects.selectors import challenge_solution, challenges_published
    from workers.scoring import SolutionError
    from workers.scoring.solution import CACHE_SIZE

    deadline = time.monotonic() + budget_seconds
    loaded = []
    challenges = challenges_published(status="open").select_related("solution").order_by("-start_at")
    for challenge in challenges.filter(solution__isnull=False)[:CACHE_SIZE]:
        if time.monotonic() >= deadline:
            break
        try:
            if challenge.solution.file.size > max_bytes:
                continue
            challenge_solution(challenge)
        except (SolutionError, FileNotFoundError) as error:
            # The hosts must hear of it before the first learner does (the size above reads the file too).
            logger.error("Challenge %s cannot be scored: %s", challenge.slug, error)
            continue
        except Exception:
            logger.warning("Could not preload the solution of %s", challenge.slug, exc_info=True)
            continue
        loaded.append(challenge.slug)
    return loaded


def _warm_up(**kwargs) -> None:
    started = time.monotonic()
    try:
        loaded = preload_solutions()
    except Exception:  # the database may be down: the tasks will find out and retry
        logger.warning("Worker warm-up failed", exc_info=True)
        return
    logger.info("Worker warm-up: %d solutions in %.2f s", len(loaded), time.monotonic() - started)


@signals.worker_init.connect
def _connect_warm_up(**kwargs) -> None:
    # Connected here, after the Django fixup's own worker_init handler has connected its worker_process_init
    # handler, so the fixup first drops the connections a pool process inherits and the warm-up opens its own.
    signals.worker_process_init.connect(_warm_up, weak=False)


signals.task_prerun.connect(lambda **kwargs: close_old_connections(), weak=False)
signals.task_postrun.connect(lambda **kwargs: close_old_connections(), weak=False)
