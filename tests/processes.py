"""Real processes for end-to-end tests: a `celery worker` (and beat) on the test database and the real broker,
and a `gunicorn` web server."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.slow_scoring import DELAY_FILE_VARIABLE

BIN = Path(sys.executable).parent


def test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database), for child processes."""
    params = connection.settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return (
        f"postgres://{auth}{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{params['NAME']}"
    )


def child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": test_database_url(),
        "HUB_VAR_DIR": str(settings.VAR_DIR),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class CeleryWorker:
    """A `celery worker` child process; started() waits until it has said it is ready."""

    def __init__(self, name: str, log_dir: Path, *, concurrency: int = 1, env: dict[str, str] | None = None):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.env = child_env(**(env or {}))
        self.command = [
            str(BIN / "celery"),
            "-A",
            # The hub's app, with the test hook that slows scoring down when the test gives it a delay file.
            "tests.slow_scoring" if DELAY_FILE_VARIABLE in self.env else "hub",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        self.process: subprocess.Popen | None = None
        self.ready_text = " ready."

    def start(self, timeout: float = 60) -> CeleryWorker:
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready_text in self.output():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"celery {self.name} exited early:\n{self.output()}")
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready after {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool children die at once."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Cold shutdown (SIGQUIT): tests stop workers with nothing in flight, and a warm one takes seconds."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGQUIT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
            self.kill()
        if getattr(self, "log", None):
            self.log.close()


class CeleryBeat(CeleryWorker):
    """A `celery beat` child process, on its own as in a deployment; started() waits until it has started."""

    def __init__(self, log_dir: Path, *, env: dict[str, str] | None = None):
        super().__init__("beat", log_dir, env=env)
        self.command = [
            str(BIN / "celery"),
            "-A",
            "hub",
            "beat",
            "--loglevel=INFO",
            f"--schedule={log_dir / 'celerybeat-schedule'}",
        ]
        self.ready_text = "beat: Starting..."


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}")


class WebServer:
    """A real `gunicorn` serving the hub on the test database; started() waits until /healthz answers."""

    def __init__(self, log_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 2):
        self.url = f"http://{host}:{port}"
        self.log_path = log_dir / f"gunicorn-{port}.log"
        self.command = [
            str(BIN / "gunicorn"),
            "hub.wsgi",
            f"--bind={host}:{port}",
            f"--workers={workers}",
            "--graceful-timeout=2",
            "--access-logfile=-",
        ]
        self.env = child_env()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> WebServer:
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.output()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response,
            ):
                if response.status == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not answering after {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Quick shutdown (SIGQUIT): tests stop the server with no request in flight."""
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if getattr(self, "log", None):
            self.log.close()
