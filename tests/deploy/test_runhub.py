"""`make run`'s command for real: runhub with a newcomer's environment (its own var folder, SQLite and
filesystem broker) serves first, prints the address and the admin password as its last lines once /healthz
answers, and the built-in challenges appear afterwards while the console stays quiet."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from projects.builtin import BUILTIN_CHALLENGES
from projects.management.commands.load_builtin_challenges import _sources_digest
from tests.faults.servers import free_port
from tests.processes import wait_for

pytestmark = [pytest.mark.slow]

NEWCOMER_DROPS = ("HUB_", "DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL")


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


class Console:
    """runhub's stdout and stderr, line by line, each with the moment it was read and whether the port then answered."""

    def __init__(self, process: subprocess.Popen, health_url: str):
        self.lines: list[tuple[float, str, int]] = []
        self.health_url = health_url
        self.reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.reader.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            # Asked at once, before the next line is read: did the port answer when this line came?
            status = get(self.health_url)[0] if "The hub is running" in line else 0
            self.lines.append((time.monotonic(), line.rstrip("\n"), status))

    def text(self) -> str:
        return "\n".join(line for _, line, _ in self.lines)


@pytest.fixture
def seeded_var(tmp_path, builtin_bundle) -> Path:
    """A var folder whose built-in bundle cache already holds this test run's builds (load_builtin_challenges'
    own stamps), so runhub's background load imports them without building them again."""
    var = tmp_path / "var"
    cache = var / "builtin-bundles"
    cache.mkdir(parents=True)
    digest = _sources_digest()
    for slug in BUILTIN_CHALLENGES:
        (cache / f"{slug}.built").write_text(f"{digest}\n{builtin_bundle(slug)}")
    return var


def test_the_address_and_password_are_printed_last_once_the_port_answers_and_builtins_load_after(seeded_var):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(NEWCOMER_DROPS)}
    env |= {"HUB_VAR_DIR": str(seeded_var), "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runhub"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    console = Console(process, f"http://127.0.0.1:{port}/healthz")
    try:
        wait_for(
            lambda: "Press Ctrl-C to stop." in console.text() or process.poll() is not None,
            timeout=240,
            message="runhub to print its address",
        )
        assert process.poll() is None, console.text()
        running = next(entry for entry in console.lines if "The hub is running" in entry[1])
        assert running[1] == f"The hub is running: open http://localhost:{port}/"
        assert running[2] == 200, "the address was printed before /healthz answered"

        # The built-in challenges appear after the address, each with its baseline scored by the worker.
        def listed() -> list[str] | None:
            status, body = get(f"http://127.0.0.1:{port}/api/v1/challenges/?page_size=50")
            slugs = sorted(item["slug"] for item in json.loads(body)["results"]) if status == 200 else []
            return slugs if slugs == sorted(BUILTIN_CHALLENGES) else None

        wait_for(listed, timeout=240, interval=1, message="the built-in challenges to be listed")
        builtin_log = (seeded_var / "logs" / "builtin.log").read_text()
        assert all(f"{slug}: created" in builtin_log for slug in BUILTIN_CHALLENGES), builtin_log
        # Their baselines are scored by the worker after the import, so a moment after they are listed.
        wait_for(
            lambda: (
                (seeded_var / "logs" / "worker.log").read_text().count(" finished in ")
                >= len(BUILTIN_CHALLENGES)
            ),
            timeout=120,
            message="the worker to score the built-ins' baselines",
        )

        # Nothing came after the address, the password and "Ctrl-C": no Celery banner, no task or access lines.
        printed = [line for _, line, _ in console.lines]
        password = (seeded_var / "admin-password.txt").read_text().strip()
        assert printed[-3:] == [
            running[1],
            "Sign up on the site for a learner account, or sign in to the admin at "
            f"http://localhost:{port}/admin/ as 'admin' with password '{password}' "
            f"(kept in {seeded_var / 'admin-password.txt'}).",
            "Press Ctrl-C to stop.",
        ], console.text()
        assert "celery@" not in console.text() and "[tasks]" not in console.text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
        try:
            code = process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    console.reader.join(10)
    assert code == 0, console.text()
    assert console.lines[-1][1] == "Stopped the web server, the worker and beat."
    assert get(f"http://127.0.0.1:{port}/healthz")[0] == 0, "the web server outlived runhub"
