"""Shared steps of the fault tests that run on pytest-django's test database."""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator

import kombu.pools
from rest_framework.test import APIClient

from hub.celery import app as celery_app
from submissions.models import Submission
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.factories import UserFactory
from tests.processes import wait_for

_STORED = re.compile(r"Submission (\d+) stored as (\w+) by delivery (\S+) \(attempt (\d+)\)")


def learner_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


def submit(client: APIClient, challenge, *, correct: int = 10) -> int:
    response = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"file": upload(predictions_csv(20, correct=correct))},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    return response.json()["id"]


def wait_until_final(ids: list[int], *, timeout: float = 60) -> dict[int, Submission]:
    def all_final():
        rows = {s.pk: s for s in Submission.objects.filter(pk__in=ids)}
        return rows if all(s.status in Submission.FINAL_STATUSES for s in rows.values()) else None

    return wait_for(all_final, timeout=timeout, interval=0.2, message=f"submissions {ids} to finish")


def wait_until_running(submission_id: int, *, timeout: float = 30) -> Submission:
    return wait_for(
        lambda: Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING).first(),
        timeout=timeout,
        interval=0.05,
        message=f"submission {submission_id} to be running",
    )


@contextlib.contextmanager
def use_broker(url: str) -> Iterator[None]:
    """Point this test process's Celery app (the one uploads enqueue with) at another broker, then back."""
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    saved_environment = os.environ.get("CELERY_BROKER_URL")

    def reset_pools() -> None:
        # What Celery itself does after a fork: connection and producer pools are made again on next use. kombu keeps
        # them in process-wide groups keyed by the broker URL, so those are emptied too: closing only the app's pool
        # would leave a closed pool that the app takes up again when the URL is switched back ("Acquire on closed
        # pool" in every later upload of this test process).
        kombu.pools.reset()
        celery_app._after_fork()

    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = {"socket_timeout": 5, "socket_connect_timeout": 2}
    reset_pools()
    try:
        yield
    finally:
        if saved_environment is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environment
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved
        reset_pools()


def stored_outcomes(logs: Iterable[str]) -> Counter[tuple[int, str]]:
    """How many times each (submission id, status) was stored, from the workers' logs (one line per commit)."""
    counts: Counter[tuple[int, str]] = Counter()
    for text in logs:
        for match in _STORED.finditer(text):
            counts[(int(match.group(1)), match.group(2))] += 1
    return counts
