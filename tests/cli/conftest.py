"""The `hub` CLI run as a subprocess, as a learner runs it, against pytest-django's live server with a real
`celery worker` process scoring on the test database."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory
from tests.processes import BIN

PASSWORD = "correct horse battery staple"
CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scoring_worker(shared_worker):
    """The session's real `celery worker` (tests/conftest.py): it holds no state between tests."""
    return shared_worker


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def run_hub(tmp_path, live_server):
    """run_hub(*args, token=..., url=..., input=...) runs `hub` with its own config folder and returns its result."""
    config_home = tmp_path / "config"

    def run(
        *args: str,
        token: str | None = None,
        url: str | None = live_server.url,
        input: str | None = None,
        **env,
    ):
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith(("HUB_", "DJANGO_"))
        }
        environment.update({"XDG_CONFIG_HOME": str(config_home), "COLUMNS": "200", "HUB_TIMEOUT": "30"})
        # The checkout's own hub_cli, ahead of whichever checkout the shared venv installed in editable mode.
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), environment.get("PYTHONPATH")]))
        if url is not None:
            environment["HUB_URL"] = url
        if token is not None:
            environment["HUB_TOKEN"] = token
        environment.update(env)
        completed = subprocess.run(
            [str(BIN / "hub"), *args],
            env=environment,
            input=input,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
        )
        # A CLI that crashes shows a traceback; a plain message never does.
        assert "Traceback" not in completed.stderr, completed.stderr
        return Result(completed.returncode, completed.stdout, completed.stderr)

    run.config_home = config_home
    return run


@pytest.fixture
def learner(transactional_db):
    return UserFactory(username="ada")


@pytest.fixture
def token(learner) -> str:
    return Token.objects.create(user=learner).key
