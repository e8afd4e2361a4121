"""The lease a worker holds on the submissions it is scoring, renewed by the worker's main process.

A claimed submission holds a lease (HUB_SCORING_LEASE_SECONDS). This step renews it every third of the lease for
every task the worker holds: running in a pool process, or waiting for a retry's countdown. When the whole worker
dies (SIGKILL, out of memory, the machine stops) the renewals stop with it, and the sweeper takes the submission
back once the lease has run out, instead of waiting for the hard time limit or the broker's visibility timeout.

The main process renews, not the pool process that scores: scoring code that holds the GIL for long (a C
extension) cannot starve it, and a slow scoring keeps its lease until the time limits end it.
"""

from __future__ import annotations

import logging
import threading

from celery import bootsteps
from celery.worker import state as worker_state

logger = logging.getLogger(__name__)


def renew_held_leases() -> int:
    """Renew the leases of every task this worker process holds. Returns how many submissions were renewed."""
    from django.db import connections

    from submissions.services.scoring import submission_leases_renew

    # A copy of the keys in one C call: the worker's event loop adds and removes requests meanwhile.
    delivery_ids = list(worker_state.requests)
    try:
        return submission_leases_renew(delivery_ids=delivery_ids)
    finally:
        # Not kept open between renewals: the pool forks new processes from this one at any time, and a child
        # must not inherit (and, freeing it, close) a connection this thread is using.
        connections.close_all()


class LeaseRenewal(bootsteps.StartStopStep):
    """A worker step: a daemon thread in the main process that renews the leases until the worker stops."""

    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, worker) -> None:
        from django.conf import settings

        interval = max(settings.HUB_SCORING_LEASE_SECONDS / 3, 0.5)
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="hub-lease-renewal", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stopped.wait(interval):
            try:
                renew_held_leases()
            except Exception:  # the database may be down: the next round tries again
                logger.warning(
                    "Could not renew the leases of the submissions this worker holds", exc_info=True
                )

    def stop(self, worker) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
