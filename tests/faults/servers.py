"""Private Redis and PostgreSQL servers that a fault test owns: it may stop, restart or lose them without touching
the shared services other test runs use. Both skip the test, with the reason, when the binaries are missing."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _wait_port(port: int, *, open_: bool, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open(port) == open_:
            return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} still {'closed' if open_ else 'open'} after {timeout} s")


class PrivateRedis:
    """A redis-server on a free port that keeps nothing on disk: a restart loses every message, as a crash would."""

    def __init__(self, log_dir: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip(
                "redis-server is not installed (Debian package redis-server): fault tests need their own"
            )
        self.binary = binary
        self.port = free_port()
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        _wait_port(self.port, open_=True)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        _wait_port(self.port, open_=False)


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary folder, run as the `postgres` OS user (the server refuses root)."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not bins:
            pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
        self.bin_dir = Path(bins[-1]).parent
        self.as_postgres = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        if self.as_postgres and shutil.which("runuser") is None:
            pytest.skip("runuser is missing: cannot start PostgreSQL as the postgres user")
        self.port = free_port()
        # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="hub-faults-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "server.log"
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/hub"

    def _run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self.as_postgres, *command], check=True, timeout=timeout, capture_output=True, cwd=self.root
        )

    def start(self) -> PrivatePostgres:
        if not self.data.exists():
            self._run(
                str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-N"
            )
        self._pg_ctl("start", "-w", "-o", self._options())
        if not getattr(self, "created", False):
            self._run(
                str(self.bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "hub",
            )
            self.created = True
        return self

    def _options(self) -> str:
        # fsync off: a test cluster need not survive a power cut, and it makes the restart quick.
        return f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), *args)

    def restart(self) -> None:
        """A fast shutdown (open connections are cut, as in a crash-restart or failover) and a start."""
        self._pg_ctl("restart", "-w", "-m", "fast", "-o", self._options())

    def stop(self) -> None:
        """A fast shutdown that stays down (an outage) until start() is called again."""
        self._pg_ctl("stop", "-w", "-m", "fast")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._pg_ctl("stop", "-w", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)
