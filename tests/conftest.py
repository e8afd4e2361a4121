"""Fixtures for the whole suite.

Real processes (tests/processes.py): a test that needs its tasks run by a real `celery worker` asks for
`shared_worker` (the session's one worker, started on first use; `transactional_db` comes with it, since the
worker reads what the test committed). A test that needs a worker of its own (its own environment, a log of its
own to read, one it kills) starts `CeleryWorker(...)` itself and stops it at the end; the shared worker steps
aside while it runs. Nothing else is shared: a gunicorn a test needs is its own (`WebServer(port=free_port())`).

The built-in challenges' bundles are built once per session, and by one process when pytest-xdist runs several
(`builtin_bundle(slug)`, `builtin_bundles`).

The suite runs under pytest-xdist (pyproject's addopts): each process has its own var folder, SQLite file or
PostgreSQL database, broker folder or Redis queue (hub/settings/test.py). Tests of a file stay in one process
(`--dist loadfile`), so module-scoped fixtures start once per file as before.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from projects.builtin import BUILTIN_CHALLENGES
from projects.services import challenge_import_bundle
from tests.bundles import built_once, write_bundle
from tests.factories import UserFactory
from tests.processes import CeleryWorker, SharedWorker


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit and sign-in counters live in the cache, which outlives a test: each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def builtin_bundle(tmp_path_factory) -> Callable[[str], Path]:
    """builtin_bundle(slug) -> the folder of that built-in challenge's bundle, built once per test run.

    Shared by the xdist processes of one run (a folder beside their own temporary folders, under a lock):
    the first to ask builds it, the others read it. Tests that check the builders themselves build their own."""
    return built_once(tmp_path_factory)


@pytest.fixture(scope="session")
def builtin_bundles(builtin_bundle) -> dict[str, Path]:
    """slug -> folder of every built-in challenge's bundle, built once per test run (about 20 s)."""
    return {slug: builtin_bundle(slug) for slug in BUILTIN_CHALLENGES}


@pytest.fixture(scope="session")
def _shared_worker_pool(django_db_setup, tmp_path_factory) -> Iterator[SharedWorker]:
    pool = SharedWorker(tmp_path_factory.mktemp("shared-worker"))
    yield pool
    pool.stop()


@pytest.fixture
def shared_worker(transactional_db, _shared_worker_pool) -> CeleryWorker:
    """The session's real `celery worker` on the real broker and the test database, started on first use.

    Holds no state between tests (each test's rows are flushed). Read its log only for lines naming your own
    rows: other tests' tasks are in it too."""
    return _shared_worker_pool.worker()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def make_challenge(db, tmp_path_factory):
    """Import a tiny bundle; keyword arguments go into its challenge.yaml."""

    def make(slug: str = "tiny", rows: int = 20, **manifest):
        folder = write_bundle(tmp_path_factory.mktemp("bundle"), slug=slug, rows=rows, **manifest)
        return challenge_import_bundle(folder).challenge

    return make


@pytest.fixture
def challenge(make_challenge):
    return make_challenge()


def upload(content: bytes, name: str = "predictions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.hookimpl(
    trylast=True
)  # after pytest-django's own order (tests on the database first), which it keeps
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files with real-process tests (marked slow) first, each file's own order kept: under pytest-xdist each file
    goes to one process, and a long file handed out last would leave that process working alone at the end."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)
    _unique_node_ids(items)


def _unique_node_ids(items: list[pytest.Item]) -> None:
    """pytest-xdist hands tests out by node id: schemathesis' tests, one per API operation, all share their
    function's (pytest 9 builds an id from the function's name and a parametrization, which they do not use),
    and xdist would run only the first of them. Each gets its operation's label, as
    schemathesis names the test itself; any other duplicate stops the run rather than drop tests unseen."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and counts[item.nodeid] > 1 and item._id.params is None:
            item._id = item._id.with_params(label)
    duplicates = [nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1]
    if duplicates:
        raise pytest.UsageError(
            f"Tests with the same node id would be run once under pytest-xdist: {duplicates}"
        )
