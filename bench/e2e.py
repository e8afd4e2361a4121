"""End to end: from a learner's upload to their entry on the leaderboard, through every real process.

    .venv/bin/python bench/e2e.py --submissions 400 --clients 20 --rows 10000 --compare

Started here: gunicorn serving the hub and `celery worker` processes, on PostgreSQL (a database of the bench's own,
dropped and made again) and Redis (a database number and a queue of the bench's own). The challenge is the tests'
bundle (tests/bundles.py) with --rows test rows, so every submission is a valid file of that many rows with a random
number of right answers. Each client is a thread with its own learner and token: it uploads through the REST API,
then asks for its row on the leaderboard (`leaderboard/me/`) every --poll seconds until the row counts the new
entry, then uploads the next. Latency is the time from the start of the upload to that answer.

The phases come from the submission's own timestamps (created_at, started_at, finished_at; one clock, this
machine): upload (client's request), queue (created_at -> started_at: the broker and a free worker), scoring
(started_at -> finished_at: claim, engine, leaderboard refresh), visible (finished_at -> the client saw it: its
polling). "twice" counts submissions the workers' logs say were stored more than once; "lost" those never scored.

--compare REF first runs the code of git commit REF (a temporary worktree, the same virtualenv), then this folder's,
each on a fresh database and fresh processes, so the table shows them side by side from one run on the same
(shared, noisy) machine. --think makes each client wait a random while between seeing an entry and its next
upload; without it the 20 clients keep the hub saturated and latency is clients / throughput (Little's law).
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
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.soak import BIN, Processes, free_port, fresh_postgres, wait_port  # noqa: E402
from tests.bundles import predictions_csv  # noqa: E402

SLUG = "e2e"
QUEUE = "hub-bench-e2e"
STORED = re.compile(r"Submission (\d+) stored as (\w+) by delivery")


class ProcessesIn(Processes):
    """bench/soak.py's Processes, run from a checkout of the code given (the baseline's or this one)."""

    def __init__(self, env: dict[str, str], log_dir: Path, code: Path):
        super().__init__(env, log_dir)
        self.code = code

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.code
        )
        self.children.append(process)
        return process


def manage(env: dict[str, str], code: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=code, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def checkout(ref: str | None):
    """The code to run: this folder, or a temporary git worktree of ``ref`` (the same virtualenv runs both)."""
    if ref is None:
        yield ROOT
        return
    folder = Path(tempfile.mkdtemp(prefix="hub-e2e-code-")) / "code"
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False)
        shutil.rmtree(folder.parent, ignore_errors=True)


SETUP = """
import json
from pathlib import Path
from rest_framework.authtoken.models import Token
from projects.services import challenge_import_bundle
from tests.bundles import write_bundle
from tests.factories import UserFactory
bundle = write_bundle(Path({folder!r}), slug={slug!r}, rows={rows}, daily_limit=1000000)
challenge_import_bundle(bundle)
print(json.dumps([Token.objects.create(user=UserFactory()).key for _ in range({clients})]))
"""


def run(args: argparse.Namespace, name: str, code: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"hub-e2e-{name}-"))
    web_port = free_port()
    if args.embedded:
        database_url = f"sqlite:///{work / 'hub.sqlite3'}"
        broker_url = "filesystem://localhost/"  # its folders are under HUB_VAR_DIR, so the bench's own
    else:
        database_url, broker_url = args.database_url, args.broker_url
        fresh_postgres(database_url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.base",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HUB_VAR_DIR": str(work / "var"),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "HUB_CELERY_QUEUE": QUEUE,
        # Clients poll far more often than the defaults allow one user; the limits are not what is measured.
        "HUB_API_RATE_USER": "1000000/minute",
        "HUB_API_RATE_ANON": "1000000/minute",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        # The checkout's code first: the virtualenv's editable install points at this folder.
        "PYTHONPATH": str(code),
    }
    log_dir = work / "logs"
    log_dir.mkdir()
    processes = ProcessesIn(env, log_dir, code)
    try:
        manage(env, code, "migrate", "--no-input")
        output = manage(
            env,
            code,
            "shell",
            "-c",
            SETUP.format(folder=str(work / "bundle"), slug=SLUG, rows=args.rows, clients=args.clients),
        )
        tokens = json.loads(output.strip().splitlines()[-1])  # the last line: the import may print before it
        processes.start(
            "web",
            [str(BIN / "gunicorn"), "hub.wsgi", f"--bind=127.0.0.1:{web_port}",
             f"--workers={args.web_workers}", f"--threads={args.web_threads}", "--access-logfile=-"],
        )  # fmt: skip
        for number in range(1, args.workers + 1):
            processes.start(
                f"worker{number}",
                [str(BIN / "celery"), "-A", "hub", "worker", "--loglevel=INFO",
                 f"--concurrency={args.concurrency}", f"--hostname=e2e{number}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
            )  # fmt: skip
        wait_port(web_port)
        _wait_web(web_port)
        _wait_ready(log_dir, args.workers)
        # CPU of the driving alone, not of the processes' start-up.
        before = _cpu(processes) | {"clients": time.process_time()}
        result = _drive(args, tokens, web_port, log_dir, database_url)
        after = _cpu(processes) | {"clients": time.process_time()}
        per_submission = {
            part: 1000 * (after[part] - before[part]) / max(result["submissions"], 1) for part in after
        }
        return result | {"configuration": name, "cpu_ms_per_submission": per_submission}
    finally:
        processes.stop_all()
        if args.keep:
            print(f"kept {work} (and the database)", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
            if not args.embedded:
                _drop(database_url, broker_url)


def _drop(database_url: str, broker_url: str) -> None:
    """Drop the bench's database and its queue's keys in Redis."""
    import psycopg
    import redis

    parts = urlsplit(database_url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    client = redis.Redis.from_url(broker_url)
    for key in client.scan_iter(f"*{QUEUE}*"):
        client.delete(key)


def _cpu(processes: Processes) -> dict[str, float]:
    web, *workers = processes.children
    return {"web": _group_cpu(web.pid), "workers": sum(_group_cpu(worker.pid) for worker in workers)}


def _group_cpu(group: int) -> float:
    """CPU seconds (user and system) used so far by the live processes of a process group."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # after the name: state, ppid, pgrp, ...; utime and stime are 14 and 15
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _wait_web(port: int, timeout: float = 60) -> None:
    """gunicorn listens before its workers have imported the hub: wait for an answer, then give the other workers
    time to finish booting, so that no client's first upload waits for a worker's imports."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                time.sleep(3)
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn does not answer")


def _wait_ready(log_dir: Path, workers: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = [(log_dir / f"worker{n}.log") for n in range(1, workers + 1)]
        if all(log.exists() and " ready." in log.read_text(errors="replace") for log in logs):
            return
        time.sleep(0.2)
    raise RuntimeError("celery workers not ready")


def _drive(
    args: argparse.Namespace, tokens: list[str], web_port: int, log_dir: Path, database_url: str
) -> dict:
    base = f"http://127.0.0.1:{web_port}/api/v1/challenges/{SLUG}"
    per_client = [
        args.submissions // args.clients + (i < args.submissions % args.clients) for i in range(args.clients)
    ]
    rng = random.Random(args.seed)
    files = [predictions_csv(args.rows, correct=rng.randrange(args.rows + 1)) for _ in range(8)]
    results: list[dict] = []  # one per upload
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(args.clients)

    def client(number: int, token: str, count: int) -> None:
        client_rng = random.Random(args.seed * 1000 + number)
        with httpx.Client(headers={"Authorization": f"Token {token}"}, timeout=60) as http:

            def request(method: str, url: str, **kwargs) -> httpx.Response:
                # gunicorn closes a keep-alive connection idle for 2 s; a request sent on it just then is reset,
                # before the server read it, so it is sent again (and counted).
                for attempt in range(3):
                    try:
                        return http.request(method, url, **kwargs)
                    except httpx.TransportError as error:
                        with lock:
                            errors[f"{method} {type(error).__name__}"] += 1
                        if attempt == 2:
                            raise
                raise AssertionError("unreachable")

            barrier.wait()
            if args.think:  # arrivals spread out from the start too, not 20 uploads at once
                time.sleep(client_rng.expovariate(1 / args.think))
            for entry in range(1, count + 1):
                started = time.time()
                response = request(
                    "POST", f"{base}/submissions/", files={"file": ("p.csv", client_rng.choice(files))}
                )
                uploaded = time.time()
                if response.status_code != 201:
                    with lock:
                        errors[f"upload {response.status_code}"] += 1
                    continue
                submission_id = response.json()["id"]
                seen = None
                polls = 0
                deadline = time.monotonic() + args.timeout
                while time.monotonic() < deadline:
                    answer = request("GET", f"{base}/leaderboard/me/")
                    polls += 1
                    if answer.status_code == 200 and answer.json()["entries"] >= entry:
                        seen = time.time()
                        break
                    if answer.status_code not in (200, 404):
                        with lock:
                            errors[f"poll {answer.status_code}"] += 1
                    time.sleep(args.poll)
                with lock:
                    results.append(
                        {"id": submission_id, "started": started, "uploaded": uploaded, "seen": seen,
                         "polls": polls}
                    )  # fmt: skip
                if args.think:
                    time.sleep(client_rng.expovariate(1 / args.think))

    threads = [
        threading.Thread(target=client, args=(n, t, c))
        for n, (t, c) in enumerate(zip(tokens, per_client, strict=True))
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began

    stamps = _timestamps(database_url)
    stored: Counter[int] = Counter()
    for log in log_dir.glob("worker*.log"):
        for match in STORED.finditer(log.read_text(errors="replace")):
            stored[int(match.group(1))] += 1
    seen = [r for r in results if r["seen"] is not None]
    latencies = sorted(r["seen"] - r["started"] for r in seen)
    phases: dict[str, list[float]] = {"upload": [], "queue": [], "scoring": [], "visible": []}
    for r in seen:
        status, created, started, finished = stamps[r["id"]]
        phases["upload"].append(r["uploaded"] - r["started"])
        phases["queue"].append(started - created)
        phases["scoring"].append(finished - started)
        phases["visible"].append(r["seen"] - finished)
    return {
        "submissions": len(results),
        "p50": _percentile(latencies, 50),
        "p90": _percentile(latencies, 90),
        "p99": _percentile(latencies, 99),
        "max": latencies[-1] if latencies else None,
        "throughput": len(seen) / elapsed,
        "lost": sum(1 for r in results if stamps.get(r["id"], ("missing",))[0] != "scored"),
        "polls_per_submission": sum(r["polls"] for r in results) / max(len(results), 1),
        "twice": sum(1 for r in results if stored[r["id"]] > 1),
        "errors": dict(errors),
        "phases_p50": {phase: _percentile(sorted(v), 50) for phase, v in phases.items()},
        "phases_mean": {phase: statistics.fmean(v) if v else None for phase, v in phases.items()},
        "seconds": elapsed,
    }


def _timestamps(database_url: str) -> dict[int, tuple[str, float, float, float]]:
    query = "SELECT id, status, created_at, started_at, finished_at FROM submissions_submission"
    if database_url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as connection:
            rows = connection.execute(query).fetchall()
    else:
        import psycopg

        with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as connection:
            rows = connection.execute(query).fetchall()

    def seconds(moment: datetime | str | None) -> float:
        if isinstance(moment, str):  # SQLite stores UTC text
            moment = datetime.fromisoformat(moment).replace(tzinfo=UTC)
        return moment.timestamp() if moment else float("nan")

    return {row[0]: (row[1], seconds(row[2]), seconds(row[3]), seconds(row[4])) for row in rows}


def _percentile(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, round(percent / 100 * (len(values) - 1)))]


def table(results: list[dict]) -> str:
    names = [r["configuration"] for r in results]
    lines = [f"| | {' | '.join(names)} |", "| --- |" + " ---: |" * len(results)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | {' | '.join(values)} |")

    for key in ("p50", "p90", "p99", "max"):
        row(f"latency {key}", [f"{r[key]:.3f} s" if r[key] is not None else "-" for r in results])
    row("throughput", [f"{r['throughput']:.1f} subs/s" for r in results])
    row("polls per submission", [f"{r['polls_per_submission']:.1f}" for r in results])
    row("submissions", [str(r["submissions"]) for r in results])
    row("lost", [str(r["lost"]) for r in results])
    row(
        "HTTP errors (sent again)",
        [", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or "0" for r in results],
    )
    row("scored twice", [str(r["twice"]) for r in results])
    for phase in ("upload", "queue", "scoring", "visible"):
        row(
            f"{phase} (p50 / mean)",
            [f"{r['phases_p50'][phase]:.3f} / {r['phases_mean'][phase]:.3f} s" for r in results],
        )
    for part in ("web", "workers", "clients"):
        row(f"CPU per submission, {part}", [f"{r['cpu_ms_per_submission'][part]:.0f} ms" for r in results])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=400)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes")
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes per celery worker")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--web-threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--poll", type=float, default=0.02, help="seconds between a client's polls")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("E2E_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hub_bench_e2e"),
        help="dropped and made again",
    )
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="SQLite and the filesystem broker (make run's defaults) instead",
    )
    parser.add_argument("--broker-url", default=os.environ.get("E2E_BROKER_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument(
        "--think", type=float, default=0.0,
        help="mean seconds a client waits (exponentially distributed) after seeing its entry; 0: none, saturation",
    )  # fmt: skip
    parser.add_argument(
        "--compare",
        metavar="REF",
        help="first run the code of this git commit (the baseline), then this folder's",
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds a client waits for one entry")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs")
    args = parser.parse_args()
    chosen = (
        [(f"baseline ({args.compare})", args.compare), ("after", None)] if args.compare else [("after", None)]
    )
    results = []
    for name, ref in chosen:
        with checkout(ref) as code:
            results.append(run(args, name.split()[0], code) | {"configuration": name})
        print(json.dumps(results[-1], indent=2), file=sys.stderr)
    print(table(results))
    sys.exit(0 if all(r["lost"] == 0 and r["twice"] == 0 for r in results) else 1)


if __name__ == "__main__":
    main()
