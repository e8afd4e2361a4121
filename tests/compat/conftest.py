import base64
import fcntl
import tempfile
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.processes import CeleryWorker, WebServer


@pytest.fixture
def learner(db):
    """A learner with an API token (their key in both CLIs)."""
    user = UserFactory(username="ada")
    user.key = Token.objects.create(user=user).key
    return user


@pytest.fixture
def evalai_client(learner) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {learner.key}")
    return client


@pytest.fixture
def kaggle_client(learner) -> APIClient:
    """Sends what the Kaggle CLI sends: JSON POSTs with HTTP Basic username:key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(learner.username, learner.key))
    return client


def basic(username: str, key: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{key}".encode()).decode()


# Port 80 is one per machine: test runs of other checkouts wait for it rather than fail.
PORT_80_LOCK = Path(tempfile.gettempdir()) / "hub-tests-port-80.lock"


@pytest.fixture(scope="module")
def hub_on_port_80(django_db_setup, tmp_path_factory):
    """The hub served by a real gunicorn on 127.0.0.1:80, where the Kaggle CLI's LOCALHOST setting points."""
    with PORT_80_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server = WebServer(tmp_path_factory.mktemp("web"), port=80).start()
        try:
            yield server
        finally:
            server.stop()
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def scoring_worker(django_db_setup, tmp_path_factory):
    """A real `celery worker` process on the real broker and the test database, for the whole module."""
    worker = CeleryWorker("compat-worker", tmp_path_factory.mktemp("worker")).start()
    yield worker
    worker.stop()
