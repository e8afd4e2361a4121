"""`make run`: set up the embedded hub and run its web server, Celery worker and beat until Ctrl-C.

The web server comes first: the built-in challenges (built, then imported, a minute or more on a first run) load in
a process of their own beside it and appear on the site as each is ready. The processes write to log files under
HUB_VAR_DIR/logs, so the console's last lines are the address and the admin password, printed once gunicorn
answers /healthz.
"""

import contextlib
import ctypes
import ctypes.util
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# How long the web server may take to answer /healthz before runhub gives up (seconds); a loaded laptop's first
# start, imports compiled on the way, takes tens of seconds.
LISTEN_TIMEOUT = 300
# https://man7.org/linux/man-pages/man2/PR_SET_PDEATHSIG.2const.html
PR_SET_PDEATHSIG = 1
# One-shot processes: their ending is not the hub stopping.
ONE_SHOT = ("builtin",)


class Command(BaseCommand):
    help = "Migrate, then serve the hub with a Celery worker and beat while the built-in challenges load."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--skip-builtin", action="store_true", help="Do not load the built-in challenges")

    def handle(self, *args, port: int, host: str, skip_builtin: bool, **options) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        logs = settings.VAR_DIR / "logs"
        logs.mkdir(exist_ok=True)
        # Ctrl-C or a SIGTERM before the hub runs stops what has started so far, as they do once it runs.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        processes: dict[str, subprocess.Popen] = {}
        try:
            self._serve(host, port, logs, processes, builtin=not skip_builtin)
            self._wait(processes, logs)
        except KeyboardInterrupt:
            self._stop(processes)
            self.stdout.write("Stopped before the hub was running.")
        except BaseException:
            self._stop(processes)
            raise

    def _serve(
        self, host: str, port: int, logs: Path, processes: dict[str, subprocess.Popen], *, builtin: bool
    ) -> None:
        """Start the hub's processes into `processes`, then print where to open it, once the web server answers."""
        # collectstatic needs no database: it runs beside migrate, on the other core. Without the system checks,
        # which this process has just run: they import every view (the URLconf), seconds of a first start.
        collectstatic = processes["collectstatic"] = _spawn(
            "collectstatic",
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--skip-checks"],
            logs,
        )
        # The web server's main process imports the hub meanwhile, and listens once told that the database and
        # the static files are ready (hub/gunicorn_conf.py, on_starting): the byte written below, or the end of
        # the pipe if this process goes first. The worker and beat wait until it answers: on a small machine their
        # start (each imports the hub) would share the cores with it, and the first page needs neither.
        ready_read, ready_write = os.pipe()
        try:
            processes["web"] = _spawn("web", self._commands(host, port)["web"], logs, pass_fd=ready_read)
        finally:
            os.close(ready_read)
        with os.fdopen(ready_write, "wb") as ready:
            call_command("migrate", interactive=False, verbosity=0)
            password = self._admin_password()
            if collectstatic.wait() != 0:
                raise CommandError(_ended("collectstatic", collectstatic, logs))
            del processes["collectstatic"]
            ready.write(b"1")
        self._wait_until_listening(host, port, processes, logs)
        for name in ("worker", "beat"):
            processes[name] = _spawn(name, self._commands(host, port)[name], logs)
        if builtin:
            # The worker scores each challenge's baseline as it is imported, as for any other challenge.
            processes["builtin"] = _spawn(
                "builtin", [sys.executable, "manage.py", "load_builtin_challenges"], logs
            )
        shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        if builtin:
            self.stdout.write(
                f"The built-in challenges are loading in the background ({logs / 'builtin.log'}); each appears on "
                "the site when it is ready."
            )
        self.stdout.write(f"Logs of the web server, the worker and beat: {logs}/")
        self.stdout.write(self.style.SUCCESS(f"\nThe hub is running: open http://{shown_host}:{port}/"))
        self.stdout.write(
            "Sign up on the site for a learner account, or sign in to the admin at "
            f"http://{shown_host}:{port}/admin/ as 'admin' with password '{password}' "
            f"(kept in {settings.VAR_DIR / 'admin-password.txt'}).\nPress Ctrl-C to stop.\n"
        )
        self.stdout.flush()

    def _admin_password(self) -> str:
        """A host account for the embedded hub, with a random password made on the first run."""
        password_file = settings.VAR_DIR / "admin-password.txt"
        if not password_file.exists():
            password_file.write_text(secrets.token_urlsafe(12))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            User.objects.create_superuser("admin", "", password)
        return password

    def _commands(self, host: str, port: int) -> dict[str, list[str]]:
        bin_dir = os.path.dirname(sys.executable)
        commands = {
            # Workers, threads and logs from hub/gunicorn_conf.py, as in the Docker image.
            "web": [
                os.path.join(bin_dir, "gunicorn"),
                "--config=python:hub.gunicorn_conf",
                f"--bind={host}:{port}",
            ],
            "worker": [
                os.path.join(bin_dir, "celery"),
                "-A",
                "hub",
                "worker",
                "--loglevel=INFO",
                # WORKER_CONCURRENCY is read by the settings (CELERY_WORKER_CONCURRENCY); 2 for a laptop.
                f"--concurrency={os.environ.get('WORKER_CONCURRENCY', '2')}",
            ],
            "beat": [
                os.path.join(bin_dir, "celery"),
                "-A",
                "hub",
                "beat",
                "--loglevel=INFO",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ],
        }
        return commands

    def _wait_until_listening(
        self, host: str, port: int, processes: dict[str, subprocess.Popen], logs: Path
    ) -> None:
        """Return once /healthz answers 200; raise if a process ends first or it takes too long."""
        address = "127.0.0.1" if host == "0.0.0.0" else host
        deadline = time.monotonic() + LISTEN_TIMEOUT
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://{address}:{port}/healthz", timeout=2) as response,
            ):
                if response.status == 200:
                    return
            exited = _exited(processes)
            if exited is not None:
                raise CommandError(_ended(exited, processes[exited], logs))
            time.sleep(0.2)
        raise CommandError(
            f"The web server did not answer http://{address}:{port}/healthz in {LISTEN_TIMEOUT} s; "
            f"see {logs / 'web.log'}."
        )

    def _wait(self, processes: dict[str, subprocess.Popen], logs: Path) -> None:
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exited = None
        builtin = processes.get("builtin")
        while not stopping and exited is None:
            exited = _exited(processes)
            if builtin is not None and builtin.poll() is not None:
                if builtin.returncode != 0:
                    self.stderr.write(_ended("builtin", builtin, logs))
                builtin = None
            time.sleep(0.5)
        self._stop(processes)
        if exited is not None:
            self.stderr.write(_ended(exited, processes[exited], logs) + " Stopped the hub.")
            sys.exit(1)
        self.stdout.write("Stopped the web server, the worker and beat.")

    def _stop(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()  # the main process shuts its own workers down gracefully
        deadline = time.monotonic() + 15
        for process in processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            _signal_group(process, signal.SIGKILL)  # whatever is left of it, children included


def _spawn(name: str, command: list[str], logs: Path, *, pass_fd: int | None = None) -> subprocess.Popen:
    """Start a process writing to logs/<name>.log, in a session of its own, so that stopping it stops its
    children too (gunicorn's and celery's workers). pass_fd: a pipe's end it inherits, named in
    HUB_SERVE_AFTER_FD."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "hub.settings.base"),
        "PYTHONUNBUFFERED": "1",
    }
    if pass_fd is not None:
        env["HUB_SERVE_AFTER_FD"] = str(pass_fd)
    with (logs / f"{name}.log").open("ab") as log:
        return subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
            pass_fds=() if pass_fd is None else (pass_fd,),
            preexec_fn=_own_session_ending_with_runhub,
        )


def _own_session_ending_with_runhub() -> None:
    """In the child before it runs: a session of its own (stopping its group stops its children too), and on
    Linux a SIGTERM from the kernel if runhub dies without stopping it (SIGKILL, a crash), so that no web server
    is left holding the port."""
    os.setsid()
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _find_prctl():
    """libc's prctl, looked up once in runhub (not in the child between fork and exec); None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    return None


_prctl = _find_prctl()


def _exited(processes: dict[str, subprocess.Popen]) -> str | None:
    """The name of a long-running process that has ended, if one has."""
    return next(
        (name for name, p in processes.items() if name not in ONE_SHOT and p.poll() is not None), None
    )


def _ended(name: str, process: subprocess.Popen, logs: Path) -> str:
    """What to tell the person at the console: which process ended, and the end of its log."""
    log = logs / f"{name}.log"
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""
    return f"The {name} process stopped (exit code {process.returncode}); the end of {log}:\n{tail}\n"


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
