"""`make run`: set up the embedded hub and run its web server, Celery worker and beat until Ctrl-C."""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, load the built-in challenges, then serve the hub with a Celery worker and beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--skip-builtin", action="store_true", help="Do not load the built-in challenges")

    def handle(self, *args, port: int, host: str, skip_builtin: bool, **options) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not skip_builtin:
            call_command("load_builtin_challenges")
        password = self._admin_password()
        processes = self._start(host, port)
        shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        self.stdout.write(self.style.SUCCESS(f"\nThe hub is running: open http://{shown_host}:{port}/"))
        self.stdout.write(
            "Sign up on the site for a learner account, or sign in to the admin at "
            f"http://{shown_host}:{port}/admin/ as 'admin' with password '{password}' "
            f"(kept in {settings.VAR_DIR / 'admin-password.txt'}).\nPress Ctrl-C to stop.\n"
        )
        self._wait(processes)

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

    def _start(self, host: str, port: int) -> dict[str, subprocess.Popen]:
        bin_dir = os.path.dirname(sys.executable)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "hub.settings.base"),
        }
        commands = {
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
            # Workers, threads and logs from hub/gunicorn_conf.py, as in the Docker image.
            "web": [
                os.path.join(bin_dir, "gunicorn"),
                "--config=python:hub.gunicorn_conf",
                f"--bind={host}:{port}",
            ],
        }
        # Each in a session of its own, so stopping it stops its children too (gunicorn's and celery's workers).
        return {
            name: subprocess.Popen(command, env=env, start_new_session=True)
            for name, command in commands.items()
        }

    def _wait(self, processes: dict[str, subprocess.Popen]) -> None:
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exited = None
        while not stopping and exited is None:
            exited = next((name for name, p in processes.items() if p.poll() is not None), None)
            time.sleep(0.5)
        for process in processes.values():
            if process.poll() is None:
                process.terminate()  # the main process shuts its own workers down gracefully
        deadline = time.monotonic() + 15
        for process in processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            _signal_group(process, signal.SIGKILL)  # whatever is left of it, children included
        if exited is not None:
            self.stderr.write(
                f"The {exited} process stopped (exit code {processes[exited].returncode}); stopped the hub."
            )
            sys.exit(1)
        self.stdout.write("Stopped the web server, the worker and beat.")


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
