import base64
import fcntl
import json
import tempfile
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.compat.clients import Cli, evalai_cli, kaggle_cli, kagglehub_python
from tests.factories import UserFactory
from tests.processes import WebServer


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


@pytest.fixture
def scoring_worker(shared_worker):
    """The session's real `celery worker` on the real broker and the test database (tests/conftest.py)."""
    return shared_worker


@pytest.fixture(scope="module")
def evalai_bin() -> Path:
    return evalai_cli()


@pytest.fixture(scope="module")
def kaggle_bin() -> Path:
    return kaggle_cli()


@pytest.fixture(scope="module")
def kagglehub_bin() -> Path:
    return kagglehub_python()


@pytest.fixture
def kaggle(kaggle_bin, learner, tmp_path) -> Cli:
    """The learner's shell for the real `kaggle` CLI, their key in kaggle.json, pointed at the hub on port 80."""
    home = tmp_path / "kaggle-home"
    config = home / "kaggle-config"
    config.mkdir(parents=True)
    (config / "kaggle.json").write_text(json.dumps({"username": learner.username, "key": learner.key}))
    (config / "kaggle.json").chmod(0o600)
    return Cli(kaggle_bin, home, KAGGLE_API_ENVIRONMENT="LOCALHOST", KAGGLE_CONFIG_DIR=str(config))
