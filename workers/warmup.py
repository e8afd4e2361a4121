"""Workers that start warm: solutions parsed and S3 clients built before the first task, database connections kept
between tasks.

The warm-up runs in the worker's main process before its pool starts (Celery's worker_init): the pool processes are
forked from it and inherit the parsed solutions and the clients, and the worker neither takes a task nor answers
the ping of its health check until it is done. In each pool process instead, as it was, it had to fit Celery's
4-s limit for a process to start (worker_proc_alive_timeout): on a loaded machine it parsed one solution of four,
each process's first task then took 2-3 s instead of 0.1-0.5 s, and a worker whose processes happened to be warm
took most of a burst (16 of 20 uploads, over three workers, in the compose smoke test).

Without CELERY_DB_REUSE_MAX (hub/settings/base.py sets it) Celery's Django fixup closes the PostgreSQL connections
before and after each task. Connections are instead treated as Django treats them between requests:
close_old_connections drops one that is older than CONN_MAX_AGE or broken (a database restart), so a retried task
gets a fresh one.
"""

from __future__ import annotations

import logging
import time

from celery import signals
from django.db import close_old_connections, connections

from hub.storage import s3_clients_ready_to_fork

logger = logging.getLogger(__name__)

# Bounds the worker's start: a solution left out is parsed by its first task. The main process has no start-up
# limit of Celery's (a pool process has 4 s), only the health check's start period (60 s, docker-compose.yml).
WARM_UP_SECONDS = 30.0
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


@signals.worker_init.connect
def _warm_up(**kwargs) -> None:
    # Connected after the Django fixup's own worker_init handler (it is connected when the app is made), which closes
    # the connections first; those this warm-up opens are closed before the pool forks, so no child inherits one.
    started = time.monotonic()
    try:
        loaded = preload_solutions()
        s3_clients_ready_to_fork()
    except Exception:  # the database may be down: the tasks will find out and retry
        logger.warning("Worker warm-up failed", exc_info=True)
        return
    finally:
        connections.close_all()
    logger.info("Worker warm-up: %d solutions in %.2f s", len(loaded), time.monotonic() - started)


signals.task_prerun.connect(lambda **kwargs: close_old_connections(), weak=False)
signals.task_postrun.connect(lambda **kwargs: close_old_connections(), weak=False)
