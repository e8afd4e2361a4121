"""Soak: many learners upload at once while scoring workers are SIGKILLed every few seconds.

    .venv/bin/python bench/soak.py --submissions 2000 --clients 20 --workers 2 --kill-every 3 \
        --database-url postgres://postgres@127.0.0.1:5432/hub_faults_soak

Everything is real and started here: a private redis-server (no persistence), gunicorn serving the hub, `celery
worker` processes and `celery beat` (which runs the sweeper). The database named by --database-url is dropped and
made again (PostgreSQL), or a fresh SQLite file is used when none is given. Clients are threads posting to the REST
API with their own tokens. A killer SIGKILLs a random worker's whole process group every --kill-every seconds and
starts a new one in its place. Each scoring waits --task-delay seconds (the fault-test hook) so that most kills
land in the middle of a task rather than between two.

At the end every upload must be scored, with the score its file deserves, exactly once. "stored_twice" counts the
submissions whose status was changed to scored or failed more than once, as a trigger in the database recorded it
(tests/faults/audit.py); "lost" those that never reached a final status. The workers' own log lines of stored
outcomes (submissions/services/scoring.py _finish) are counted too: a kill that lands between a commit and its log line
leaves a stored outcome without a line ("stored_without_log_line"), which is why the audit, not the log, is the proof.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bundles import expected_scores, predictions_csv  # noqa: E402
from tests.faults import audit  # noqa: E402

BIN = Path(sys.executable).parent
ROWS = 40
STORED = re.compile(r"Submission (\d+) stored as (\w+) by delivery")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


class Processes:
    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.children: list[subprocess.Popen] = []
        self.worker_number = 0

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
        )
        self.children.append(process)
        return process

    def worker(self) -> subprocess.Popen:
        self.worker_number += 1
        name = f"worker{self.worker_number}"
        return self.start(
            name,
            # The hub's app with the tests' hook that makes each task last HUB_TEST_SCORING_DELAY_FILE's seconds.
            [str(BIN / "celery"), "-A", "tests.slow_scoring", "worker", "--loglevel=INFO", "--concurrency=1",
             f"--hostname={name}@%h", "--without-gossip", "--without-mingle"],
        )  # fmt: skip

    def stop_all(self) -> None:
        for process in self.children:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.children:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


SETUP = """
import json
from pathlib import Path
from rest_framework.authtoken.models import Token
from projects.services import challenge_import_bundle
from tests.bundles import write_bundle
from tests.factories import UserFactory
bundle = write_bundle(Path({folder!r}), slug="soak", rows={rows}, daily_limit=100000)
challenge = challenge_import_bundle(bundle).challenge
print(json.dumps([Token.objects.create(user=UserFactory()).key for _ in range({clients})]))
"""


def run(args: argparse.Namespace) -> dict:
    work = Path(tempfile.mkdtemp(prefix="hub-soak-"))
    redis_port, web_port = free_port(), free_port()
    if args.database_url:
        database_url = args.database_url
        fresh_postgres(database_url)
    else:
        database_url = f"sqlite:///{work / 'soak.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.base",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HUB_VAR_DIR": str(work / "var"),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SCORING_SOFT_TIME_LIMIT": "10",
        "SCORING_TIME_LIMIT": "15",
        "HUB_BROKER_VISIBILITY_TIMEOUT": "20",
        "HUB_BROKER_RESTORE_INTERVAL": "1",
        "HUB_BROKER_RESTORE_THROTTLE": "1",
        "HUB_SWEEP_EVERY_SECONDS": "2",
        "HUB_SWEEP_QUEUED_AFTER_SECONDS": "10",
        "HUB_SWEEP_RUNNING_GRACE_SECONDS": "2",
        "HUB_MAX_SCORING_ATTEMPTS": str(args.max_attempts),
        "HUB_TEST_SCORING_DELAY_FILE": str(work / "task-delay"),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    # Each task lasts at least this long, so that most kills land in the middle of one.
    (work / "task-delay").write_text(str(args.task_delay))
    log_dir = work / "logs"
    log_dir.mkdir()
    processes = Processes(env, log_dir)
    processes.start(
        "redis",
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
    )
    try:
        wait_port(redis_port)
        manage(env, "migrate", "--no-input")
        with _connect(database_url) as connection:
            audit.install(
                connection.cursor(), "sqlite" if database_url.startswith("sqlite") else "postgresql"
            )
        tokens = json.loads(  # the last line: the import may print before it
            manage(
                env, "shell", "-c", SETUP.format(folder=str(work / "bundle"), rows=ROWS, clients=args.clients)
            )
            .strip()
            .splitlines()[-1]
        )
        processes.start(
            "web",
            [str(BIN / "gunicorn"), "hub.wsgi", f"--bind=127.0.0.1:{web_port}", "--workers=2", "--threads=8"],
        )
        processes.start(
            "beat",
            [str(BIN / "celery"), "-A", "hub", "beat", "--loglevel=INFO", f"--schedule={work / 'beat'}"],
        )
        workers = [processes.worker() for _ in range(args.workers)]
        wait_port(web_port)
        return _soak(args, env, processes, workers, tokens, web_port, database_url, log_dir)
    finally:
        processes.stop_all()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)


def _soak(args, env, processes, workers, tokens, web_port, database_url, log_dir) -> dict:
    base = f"http://127.0.0.1:{web_port}/api/v1/challenges/soak/submissions/"
    per_client = [
        args.submissions // args.clients + (i < args.submissions % args.clients) for i in range(args.clients)
    ]
    sent: dict[int, int] = {}  # submission id -> rows correct in its file
    http_errors: Counter[str] = Counter()
    lock = threading.Lock()
    rng = random.Random(args.seed)
    plans = [[rng.randrange(ROWS + 1) for _ in range(n)] for n in per_client]

    def client(token: str, plan: list[int]) -> None:
        with httpx.Client(headers={"Authorization": f"Token {token}"}, timeout=60) as http:
            for correct in plan:
                for _ in range(5):
                    try:
                        response = http.post(
                            base, files={"file": ("p.csv", predictions_csv(ROWS, correct=correct))}
                        )
                    except httpx.HTTPError as error:
                        with lock:
                            http_errors[type(error).__name__] += 1
                        continue
                    if response.status_code == 201:
                        with lock:
                            sent[response.json()["id"]] = correct
                        break
                    with lock:
                        http_errors[str(response.status_code)] += 1

    kills = 0
    stop = threading.Event()

    def killer() -> None:
        nonlocal kills
        killer_rng = random.Random(args.seed + 1)
        while not stop.wait(args.kill_every):
            index = killer_rng.randrange(len(workers))
            try:
                os.killpg(workers[index].pid, signal.SIGKILL)
                workers[index].wait(10)
            except ProcessLookupError:
                pass
            kills += 1
            workers[index] = processes.worker()

    started = time.monotonic()
    killer_thread = threading.Thread(target=killer, daemon=True)
    if args.kill_every > 0:
        killer_thread.start()
    threads = [threading.Thread(target=client, args=(t, p)) for t, p in zip(tokens, plans, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    uploaded_in = time.monotonic() - started

    deadline = time.monotonic() + args.timeout
    statuses: dict[int, tuple[str, float | None]] = {}
    while time.monotonic() < deadline:
        statuses = _statuses(database_url)
        pending = [i for i in sent if statuses.get(i, ("missing",))[0] not in ("scored", "failed")]
        if not pending:
            break
        time.sleep(1)
    finished_in = time.monotonic() - started
    stop.set()

    audited = _audited(database_url)
    stored = Counter()
    for log in log_dir.glob("worker*.log"):
        for match in STORED.finditer(log.read_text(errors="replace")):
            stored[int(match.group(1))] += 1
    scored = [i for i in sent if statuses.get(i, ("",))[0] == "scored"]
    wrong_score = [
        i for i in scored if abs(statuses[i][1] - expected_scores(ROWS, correct=sent[i])[0]) > 1e-9
    ]
    return {
        "submissions": args.submissions,
        "clients": args.clients,
        "workers": args.workers,
        "kill_every_seconds": args.kill_every,
        "task_delay_seconds": args.task_delay,
        "uploaded": len(sent),
        "http_errors": dict(http_errors),
        "scored": len(scored),
        "failed": sum(1 for i in sent if statuses.get(i, ("",))[0] == "failed"),
        "lost": sum(1 for i in sent if statuses.get(i, ("missing",))[0] not in ("scored", "failed")),
        "stored_twice": sum(1 for i in sent if audited[i] > 1),
        "stored_once": sum(1 for i in sent if audited[i] == 1),
        "log_lines_twice": sum(1 for i in sent if stored[i] > 1),
        "stored_without_log_line": sum(1 for i in sent if stored[i] == 0 and audited[i] == 1),
        "wrong_score": len(wrong_score),
        "workers_killed": kills,
        "redelivered": _redelivered(database_url),
        "upload_seconds": round(uploaded_in, 1),
        "all_final_seconds": round(finished_in, 1),
    }


def _connect(database_url: str):
    if database_url.startswith("sqlite"):
        import sqlite3

        return contextlib.closing(
            sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
        )
    import psycopg

    return psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=True)


def _query(database_url: str, query: str) -> list[tuple]:
    with _connect(database_url) as connection:
        cursor = connection.cursor()
        cursor.execute(query)
        return cursor.fetchall()


def _statuses(database_url: str) -> dict[int, tuple[str, float | None]]:
    rows = _query(database_url, "SELECT id, status, public_score FROM submissions_submission")
    return {row[0]: (row[1], row[2]) for row in rows}


def _redelivered(database_url: str) -> int:
    """Submissions claimed more than once: their first worker died (or the database was away) mid-task."""
    return _query(database_url, "SELECT count(*) FROM submissions_submission WHERE attempts > 1")[0][0]


def _audited(database_url: str) -> Counter[int]:
    with _connect(database_url) as connection:
        return Counter(submission_id for submission_id, _ in audit.outcomes(connection.cursor()).elements())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds between SIGKILLs; 0: none")
    parser.add_argument(
        "--task-delay", type=float, default=0.1, help="seconds each scoring waits (test hook)"
    )
    parser.add_argument("--max-attempts", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL", ""))
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the last score")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("soak needs redis-server (Debian package redis-server)")
    result = run(args)
    print(json.dumps(result, indent=2))
    ok = result["scored"] == result["uploaded"] == result["stored_once"] == args.submissions and not (
        result["lost"] or result["stored_twice"] or result["wrong_score"] or result["log_lines_twice"]
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
