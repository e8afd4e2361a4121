#!/usr/bin/env python3
"""The compose deployment started for real: from nothing to a checked stack, then `down -v`.

    .venv/bin/python tests/deploy/compose_smoke.py            # what .ci/run runs (docs/deploying.md)

Docker Hub is not reachable from CI's machines, so the images compose and the Dockerfile name are stood in for by
local builds (tests/deploy/standins/, from a `debootstrap --variant=minbase bookworm` base). Then the project's own
docker-compose.yml and Dockerfile, unchanged, with a generated .env of random secrets and short scoring limits:
`up -d --scale worker=3`, the health of every service, every worker warmed up before it was ready, a user and token,
a download, an upload scored and on the board, 20 uploads all scored and spread over the workers, a worker killed
mid-task (held there by a lock, not raced) and its submission scored exactly once, a hidden solution lost from the
S3 store failing the next submission fast with the host-side message, `down`/`up` keeping the data and the files,
and `down -v`. Every check prints one line; the exit status is 1 if one failed. Where Docker cannot run, it prints
why and exits 0.

Stand-ins are built only when missing (or their recipe changed); the hub image is built on every run, from cached
layers when only the hub's code changed. Standard library and httpx only. All traffic is to 127.0.0.1 and the
compose network; every wait is bounded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
STANDINS = Path(__file__).resolve().parent / "standins"
PROJECT = "hubsmoke"
HOST = "hub.smoke.test"
CHALLENGE = "breast-cancer-diagnosis"
# A second challenge, whose hidden solution the test deletes (no worker has it cached yet).
LOST_CHALLENGE = "diabetes-progression"
UPLOADS = 20
WORKERS = 3
# How long `up` may take to a healthy stack: 195-223 s seen on 2 cores at load ~10 (migrate, then the workers' first
# health check a minute after they start).
UP_SECONDS = 420
# Locked by the killed-worker check (submissions.LeaderboardEntry).
LEADERBOARD_TABLE = "submissions_leaderboardentry"
# The stand-ins: tag, recipe folder, extra tags.
STANDIN_IMAGES = [
    ("python:3.11-slim", "python", []),
    ("postgres:16", "postgres", []),
    ("redis:7", "redis", []),
    ("minio/minio:latest", "minio", ["minio/mc:latest"]),
]
MINBASE = "hub-smoke/bookworm-minbase"
BASE = "hub-smoke/bookworm"


class Smoke:
    def __init__(self) -> None:
        self.failed: list[str] = []
        self.started = time.monotonic()

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        elapsed = time.monotonic() - self.started
        print(
            f"[{elapsed:6.1f}s] {'ok  ' if ok else 'FAIL'} {name}{f' ({detail})' if detail else ''}",
            flush=True,
        )
        if not ok:
            self.failed.append(name)
        return ok

    def note(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s]      {text}", flush=True)


def run(
    command: list[str], *, check: bool = True, quiet: bool = False, **kwargs
) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 1800)
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if check and done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    if not quiet and done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    return done


def wait_for(what: Callable, *, timeout: float, interval: float = 1.0):
    """what() until it returns something true, at most `timeout` seconds; the last value either way."""
    deadline = time.monotonic() + timeout
    value = what()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = what()
    return value


def docker_usable() -> str | None:
    """Why Docker cannot run here, or None."""
    if not shutil.which("docker"):
        return "no docker program"
    if run(["docker", "info"], check=False, quiet=True, timeout=60).returncode != 0:
        return "the Docker daemon does not answer (docker info failed)"
    return None


def compose_program() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if run(["docker", "compose", "version"], check=False, quiet=True).returncode == 0:
        return ["docker", "compose"]
    raise RuntimeError("neither docker-compose nor the docker compose plugin is installed")


def image_exists(tag: str) -> bool:
    return run(["docker", "image", "inspect", tag], check=False, quiet=True).returncode == 0


def image_label(tag: str, label: str) -> str:
    done = run(
        ["docker", "image", "inspect", "-f", f'{{{{index .Config.Labels "{label}"}}}}', tag],
        check=False,
        quiet=True,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def recipe_hash(folder: Path, *extra: bytes) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    for blob in extra:
        digest.update(blob)
    return digest.hexdigest()[:16]


def debian_mirror() -> str:
    """The machine's own Debian mirror (deb822 or one-line sources), so debootstrap goes where apt goes."""
    for path in [*Path("/etc/apt/sources.list.d").glob("*.sources"), Path("/etc/apt/sources.list")]:
        if path.is_file():
            text = path.read_text()
            match = re.search(r"^URIs:\s*(\S+/debian)\s*$", text, flags=re.MULTILINE) or re.search(
                r"^deb\s+(?:\[[^]]*\]\s+)?(\S+/debian)\s+bookworm", text, flags=re.MULTILINE
            )
            if match:
                return match.group(1)
    return "http://deb.debian.org/debian"


def build_standins(smoke: Smoke, *, rebuild: bool) -> None:
    if rebuild or not image_exists(MINBASE):
        if not shutil.which("debootstrap"):
            raise RuntimeError("debootstrap is not installed (apt-get install -y debootstrap)")
        with tempfile.TemporaryDirectory(prefix="hub-smoke-rootfs-") as rootfs:
            mirror = debian_mirror()
            run(["debootstrap", "--variant=minbase", "bookworm", rootfs, mirror], timeout=1800)
            run(["sh", "-c", f"rm -rf {rootfs}/var/cache/apt/archives/*.deb {rootfs}/var/lib/apt/lists/*"])
            tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
            run(["docker", "import", "-", MINBASE], stdin=tar.stdout)
            tar.wait(timeout=60)
        smoke.note(f"built {MINBASE} with debootstrap --variant=minbase bookworm from {mirror}")
    # The base: the machine's apt sources and CA certificates (pip and npm reach the registries through them).
    sources = next(iter(sorted(Path("/etc/apt/sources.list.d").glob("debian*.sources"))), None)
    certificates = sorted(Path("/usr/local/share/ca-certificates").glob("**/*.crt"))
    extra = [sources.read_bytes() if sources else b""] + [c.read_bytes() for c in certificates]
    wanted = recipe_hash(STANDINS / "base", *extra)
    if rebuild or image_label(BASE, "hub-smoke.recipe") != wanted:
        with tempfile.TemporaryDirectory(prefix="hub-smoke-base-") as context:
            shutil.copytree(STANDINS / "base", context, dirs_exist_ok=True)
            (Path(context) / "ca-certificates").mkdir()
            for certificate in certificates:
                shutil.copy(certificate, Path(context) / "ca-certificates" / certificate.name)
            if sources:
                shutil.copy(sources, Path(context) / "debian.sources")
            else:
                (Path(context) / "debian.sources").write_text(
                    f"Types: deb\nURIs: {debian_mirror()}\nSuites: bookworm bookworm-updates\nComponents: main\n"
                )
            run(["docker", "build", "--label", f"hub-smoke.recipe={wanted}", "-t", BASE, context])
        smoke.note(f"built {BASE} ({len(certificates)} CA certificates of this machine)")
        rebuild = True  # everything above it is stale
    base_id = run(["docker", "image", "inspect", "-f", "{{.Id}}", BASE]).stdout.strip()
    for tag, folder, also in STANDIN_IMAGES:
        wanted = recipe_hash(STANDINS / folder, base_id.encode())
        if rebuild or image_label(tag, "hub-smoke.recipe") != wanted:
            started = time.monotonic()
            run(
                [
                    "docker",
                    "build",
                    "--label",
                    f"hub-smoke.recipe={wanted}",
                    "-t",
                    tag,
                    str(STANDINS / folder),
                ]
            )
            smoke.note(f"built the stand-in {tag} in {time.monotonic() - started:.0f} s")
        for other in also:
            run(["docker", "tag", tag, other])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_env_file(path: Path, web_port: int) -> dict[str, str]:
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "AWS_ACCESS_KEY_ID": "hub" + secrets.token_hex(6),
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
        # No mail server in the stack: messages go to the containers' logs.
        "EMAIL_URL": "consolemail://",
        "WEB_PORT": str(web_port),
        "MINIO_CONSOLE_PORT": str(free_port()),
        # Short limits, so that a killed worker's task comes back within the test.
        "SCORING_SOFT_TIME_LIMIT": "20",
        "SCORING_TIME_LIMIT": "30",
        "HUB_BROKER_VISIBILITY_TIMEOUT": "60",
        "HUB_BROKER_RESTORE_INTERVAL": "5",
        "HUB_SWEEP_EVERY_SECONDS": "5",
        "HUB_SWEEP_QUEUED_AFTER_SECONDS": "20",
        "HUB_SWEEP_RUNNING_GRACE_SECONDS": "5",
        "HUB_API_RATE_USER": "10000/minute",
        "HUB_API_RATE_ANON": "10000/minute",
    }
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    path.chmod(0o600)
    return values


class Stack:
    def __init__(self, compose: list[str], env_file: Path, project: str = PROJECT) -> None:
        self.project = project
        self.base = [
            *compose,
            "--project-name",
            project,
            "--env-file",
            str(env_file),
            "--file",
            str(ROOT / "docker-compose.yml"),
        ]

    def __call__(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
        return run([*self.base, *args], check=check, timeout=timeout, cwd=ROOT)

    def containers(self) -> list[dict]:
        """Every container of the project, running or not, as docker inspect gives them."""
        ids = run(
            ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={self.project}"]
        ).stdout.split()
        return json.loads(run(["docker", "inspect", *ids]).stdout) if ids else []

    def service_of(self, container: dict) -> str:
        return container["Config"]["Labels"].get("com.docker.compose.service", "")

    def workers(self, *, running: bool = True) -> list[dict]:
        return [
            c
            for c in self.containers()
            if self.service_of(c) == "worker" and (c["State"]["Running"] or not running)
        ]

    def logs(self, container: dict) -> str:
        done = run(["docker", "logs", container["Id"]], check=False, quiet=True)
        return done.stdout + done.stderr

    def exec_python(self, service: str, code: str, *args: str) -> str:
        return self("exec", "-T", service, "python", "-c", code, *args, timeout=120).stdout


class HeldLock:
    """A psql session in the postgres container that takes a lock in a transaction and holds it until released."""

    def __init__(self, stack: Stack, statement: str) -> None:
        postgres = next(c for c in stack.containers() if stack.service_of(c) == "postgres")
        self.psql = ["docker", "exec", "-i", postgres["Id"], "psql", "-U", "hub", "-d", "hub", "-q"]
        self.process = subprocess.Popen(
            [*self.psql, "-v", "ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.process.stdin.write(f"BEGIN;\n{statement};\n")
        self.process.stdin.flush()

    def sql(self, query: str) -> str:
        """One query in a session of its own."""
        return run([*self.psql, "-tAc", query], timeout=120).stdout.strip()

    def wait_granted(self, *, timeout: float) -> bool:
        query = (
            "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = pg_locks.relation "
            f"WHERE relname = '{LEADERBOARD_TABLE}' AND mode = 'ExclusiveLock' AND granted"
        )
        return bool(wait_for(lambda: self.sql(query) == "1", timeout=timeout, interval=1))

    def terminate_backends_of(self, address: str) -> int:
        query = (
            f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE client_addr = '{address}'"
        )
        return int(self.sql(query) or 0)

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.communicate("ROLLBACK;\n\\q\n", timeout=60)


def stack_state(stack: Stack) -> dict[str, list[str]]:
    """service -> the state of each of its containers: healthy, starting, exited(0)..."""
    states: dict[str, list[str]] = {}
    for container in stack.containers():
        state = container["State"]
        running = state.get("Health", {}).get("Status", "running")
        label = running if state["Running"] else f"exited({state['ExitCode']})"
        states.setdefault(stack.service_of(container), []).append(label)
    return states


def healthy(states: dict[str, list[str]], workers: int) -> bool:
    want_healthy = {"web": 1, "worker": workers, "postgres": 1, "redis": 1, "minio": 1}
    return (
        all(states.get(s, []).count("healthy") == n for s, n in want_healthy.items())
        and states.get("beat") == ["running"]
        and states.get("migrate") == ["exited(0)"]
        and states.get("createbuckets") == ["exited(0)"]
    )


def workers_ready(stack: Stack, count: int) -> bool:
    """`count` worker containers running, each past Celery's "ready." line (their health check runs once a minute)."""
    ready = [c for c in stack.workers() if re.search(r"celery@\S+ ready\.", stack.logs(c))]
    return len(ready) == count


def warm_up_check(stack: Stack) -> tuple[str, bool, str]:
    """Every worker parsed the solutions of all open challenges before it said it was ready (workers/warmup.py):
    a cold pool process spends seconds on its first task, and a worker with warm ones takes most of a burst."""
    code = (
        "import django; django.setup()\n"
        "from projects.selectors import challenges_published\n"
        "from workers.scoring.solution import CACHE_SIZE\n"
        "open_ = challenges_published(status='open').filter(solution__isnull=False).count()\n"
        "print(min(open_, CACHE_SIZE))\n"
    )
    wanted = int(stack.exec_python("web", code).strip())
    found = {}
    for container in stack.workers():
        text = stack.logs(container)
        ready = re.search(r"celery@\S+ ready\.", text)
        before = text[: ready.start()] if ready else text
        found[container["Name"].lstrip("/")] = [
            int(n) for n in re.findall(r"Worker warm-up: (\d+) solutions", before)
        ]
    ok = len(found) == WORKERS and all(counts and min(counts) == wanted for counts in found.values())
    return (
        f"every worker parsed the solutions of the {wanted} open challenges before it was ready",
        ok,
        "; ".join(f"{name}: {counts or 'no warm-up line'}" for name, counts in sorted(found.items())),
    )


def spread_check(spread: dict[str, int]) -> tuple[str, bool, str]:
    """The burst shared out: each worker holds at most WORKER_CONCURRENCY x prefetch multiplier (2 x 1) tasks, so
    while one worker's two are running the next goes to another, and workers of one speed each take about a third
    (20 / 3). The bounds leave room for a loaded machine: at least half of that share, at most one and a half."""
    share = UPLOADS / WORKERS
    low, high = math.ceil(share / 2), math.floor(share * 1.5)
    counts = sorted(spread.values(), reverse=True)
    return (
        f"the {UPLOADS} uploads spread over the {WORKERS} workers, each took {low} to {high}",
        len(counts) == WORKERS and all(low <= n <= high for n in counts),
        "/".join(str(n) for n in counts),
    )


def proxy_client(port: int) -> httpx.Client:
    """Talks to the published port as the HTTPS proxy in front of it does (docs/deploying.md#https-behind-a-proxy)."""
    return httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
        timeout=30,
    )


def submission(client: httpx.Client, submission_id: int, token: str) -> dict:
    response = client.get(
        f"/api/v1/submissions/{submission_id}/", headers={"Authorization": f"Token {token}"}
    )
    response.raise_for_status()
    return response.json()


def final(client: httpx.Client, uploads: list[tuple[int, str]], *, timeout: float) -> list[dict]:
    """The submissions (id, its owner's token) once each is scored or failed, or as they are after `timeout`."""

    def fetch():
        rows = [submission(client, i, token) for i, token in uploads]
        return rows if all(r["status"] in ("scored", "failed") for r in rows) else None

    return wait_for(fetch, timeout=timeout, interval=0.5) or [submission(client, i, t) for i, t in uploads]


def stored_by(stack: Stack, *, running: bool = False) -> dict[str, list[int]]:
    """worker container name -> the submissions it stored as scored (from its log lines)."""
    return {
        c["Name"].lstrip("/"): [
            int(i) for i in re.findall(r"Submission (\d+) stored as scored", stack.logs(c))
        ]
        for c in stack.workers(running=running)
    }


def create_users(stack: Stack, names: list[str], password: str) -> None:
    code = (
        "import django, sys; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "User = get_user_model()\n"
        "for name in sys.argv[2:]:\n"
        "    User.objects.filter(username=name).exists() or User.objects.create_user(name, password=sys.argv[1])\n"
    )
    stack.exec_python("web", code, password, *names)


def fetch_inside(stack: Stack, url: str) -> bytes:
    """A signed S3 URL names the compose network's minio:9000: fetch it from a container, as a browser would."""
    code = "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=20).read().hex())"
    return bytes.fromhex(stack.exec_python("web", code, url).strip())


def upload(client: httpx.Client, token: str, slug: str, content: bytes) -> httpx.Response:
    return client.post(
        f"/api/v1/challenges/{slug}/submissions/",
        headers={"Authorization": f"Token {token}"},
        files={"file": ("predictions.csv", content, "text/csv")},
    )


def smoke_test(smoke: Smoke, stack: Stack, values: dict[str, str], port: int) -> None:
    # --- build and start ---------------------------------------------------------------------------------
    started = time.monotonic()
    stack("build")
    image = run(["docker", "image", "inspect", "-f", "{{.Size}}", "practice-hub:latest"]).stdout.strip()
    python = run(["docker", "image", "inspect", "-f", "{{.Size}}", "python:3.11-slim"]).stdout.strip()
    smoke.check(
        "the hub image builds from the Dockerfile",
        True,
        f"{time.monotonic() - started:.0f} s; {int(image) / 1e6:.0f} MB, {(int(image) - int(python)) / 1e6:.0f} MB "
        "above its python:3.11-slim",
    )
    started = time.monotonic()
    stack("up", "-d", "--scale", f"worker={WORKERS}", timeout=900)
    states = wait_for(
        lambda: (s := stack_state(stack)) and healthy(s, WORKERS) and s, timeout=UP_SECONDS, interval=2
    )
    smoke.check(
        f"up -d --scale worker={WORKERS}: every service healthy, migrate and createbuckets exited 0",
        bool(states),
        f"{time.monotonic() - started:.0f} s" if states else json.dumps(stack_state(stack)),
    )
    if not states:
        return
    logs = {c["Name"].lstrip("/"): stack.logs(c) for c in stack.containers()}
    smoke.check(
        "the migrate container loaded the built-in challenges",
        all(
            any(f"{slug}: " in text for n, text in logs.items() if "migrate" in n)
            for slug in (CHALLENGE, LOST_CHALLENGE)
        ),
    )
    env_lines = [n for n, text in logs.items() if ".env not found" in text or ".env doesn't exist" in text]
    smoke.check("no process logs '.env not found'", not env_lines, ", ".join(env_lines))
    smoke.check(*warm_up_check(stack))

    # --- the proxy's side ----------------------------------------------------------------------------------
    plain = httpx.get(f"http://127.0.0.1:{port}/challenges/", headers={"Host": HOST}, timeout=30)
    smoke.check(
        "plain HTTP without X-Forwarded-Proto answers 301 to https (why a proxy must send it)",
        plain.status_code == 301 and plain.headers.get("location", "").startswith("https://"),
        f"{plain.status_code} {plain.headers.get('location')}",
    )
    client = proxy_client(port)
    health = client.get("/healthz")
    smoke.check("GET /healthz through the proxy", health.status_code == 200, health.text[:200])
    page = client.get("/challenges/")
    smoke.check(
        "the challenge list page through the proxy", page.status_code == 200 and CHALLENGE in page.text
    )

    # --- a user, a token, a download, an upload ----------------------------------------------------------
    password = secrets.token_urlsafe(16)
    names = [f"learner{n}" for n in range(8)]
    create_users(stack, names, password)
    tokens = []
    for name in names:
        response = client.post("/api/v1/auth/token/", data={"username": name, "password": password})
        if response.status_code in (200, 201):
            tokens.append(response.json()["token"])
    smoke.check(
        "users get API tokens from POST /api/v1/auth/token/", len(tokens) == len(names), f"{len(tokens)}"
    )
    if not tokens:
        return
    auth = {"Authorization": f"Token {tokens[0]}"}
    files = client.get(f"/api/v1/challenges/{CHALLENGE}/files/", headers=auth).json()
    rows = files.get("results", files) if isinstance(files, dict) else files
    sample = next((f for f in rows if f["kind"] == "sample_submission"), None)
    if not smoke.check("the challenge lists a sample submission", sample is not None, str(rows)[:200]):
        return
    download = client.get(httpx.URL(sample["download_url"]).raw_path.decode(), headers=auth)
    location = download.headers.get("location", "")
    content = fetch_inside(stack, location) if download.status_code in (302, 307) else download.content
    smoke.check(
        "a download: a redirect to a signed S3 URL, the file matches its sha256",
        hashlib.sha256(content).hexdigest() == sample["sha256"],
        f"{download.status_code}, {len(content)} bytes",
    )
    response = upload(client, tokens[0], CHALLENGE, content)
    if not smoke.check("an upload is accepted", response.status_code == 201, response.text[:300]):
        return
    first = final(client, [(response.json()["id"], tokens[0])], timeout=60)[0]
    smoke.check(
        "the upload is scored",
        first["status"] == "scored",
        f"{first['status']} {first['public_score']} {first['error']}",
    )
    board = client.get(f"/api/v1/challenges/{CHALLENGE}/leaderboard/").json()
    board_rows = board.get("results", board.get("rows", [])) if isinstance(board, dict) else board
    smoke.check("the score is on the board", "learner0" in json.dumps(board_rows), json.dumps(board)[:200])

    # --- 20 uploads, over three workers ---------------------------------------------------------------------
    # At once, as a class of learners uploads: six at a time. With a queue, each worker holds at most its
    # concurrency x prefetch multiplier (2 x 1) tasks, so one worker cannot take them all.
    def upload_as(n: int) -> tuple[int, str] | None:
        token = tokens[1 + n % (len(tokens) - 2)]
        with proxy_client(port) as own_client:
            response = upload(own_client, token, CHALLENGE, content)
        return (response.json()["id"], token) if response.status_code == 201 else None

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(tokens) - 2) as pool:
        ids = [item for item in pool.map(upload_as, range(UPLOADS)) if item]
    results = final(client, ids, timeout=120)
    scored = sum(r["status"] == "scored" for r in results)
    smoke.check(
        f"{UPLOADS} uploads all scored",
        len(ids) == UPLOADS and scored == UPLOADS,
        f"{len(ids)} accepted, {scored} scored in {time.monotonic() - started:.1f} s",
    )
    ids = [i for i, _ in ids]
    after = stored_by(stack)
    spread = {name: len([i for i in after[name] if i in ids]) for name in after}
    stored = [i for name in after for i in after[name] if i in ids]
    smoke.check("each one stored once", sorted(stored) == sorted(ids), f"{len(stored)} stores of {len(ids)}")
    smoke.check(*spread_check(spread))

    # --- a worker killed mid-task ------------------------------------------------------------------------------
    # Held there, not raced: a psql session locks the leaderboard entries, so the worker scores the upload of a
    # learner with no entry yet and then waits at storing it (the entry's INSERT), its row `running`, for as long
    # as the test needs, however loaded the machine is.
    held = HeldLock(stack, f"LOCK TABLE {LEADERBOARD_TABLE} IN EXCLUSIVE MODE")
    if not smoke.check("a psql session locks the leaderboard entries", held.wait_granted(timeout=60)):
        held.release()
        return
    workers = stack.workers()
    response = upload(client, tokens[-1], CHALLENGE, content)
    victim_id = response.json()["id"]
    # The worker's main process logs the task's arguments when it receives it.
    received = re.compile(rf'submissions\.score\[[\w-]+\] received.*"args": "\[{victim_id}\]"')

    def held_by():
        if submission(client, victim_id, tokens[-1])["status"] != "running":
            return None
        return next((c for c in workers if received.search(stack.logs(c))), None)

    victim = wait_for(held_by, timeout=120, interval=0.5)
    if smoke.check("a submission is running on a worker, held at storing its score", victim is not None):
        address = next(iter(victim["NetworkSettings"]["Networks"].values()))["IPAddress"]
        run(["docker", "kill", victim["Id"]])
        # A killed container's sockets are closed, but a backend waiting on a lock does not look at its socket:
        # end the dead worker's sessions as the server would on its next read, so the test waits on no TCP timer.
        ended = held.terminate_backends_of(address)
        held.release()
        smoke.note(
            f"killed {victim['Name'].lstrip('/')} in the middle of submission {victim_id} "
            f"({ended} database sessions of it ended)"
        )
        row = final(client, [(victim_id, tokens[-1])], timeout=180)[0]
        stores = [i for ids_ in stored_by(stack).values() for i in ids_ if i == victim_id]
        smoke.check(
            "the killed worker's submission is scored exactly once by another",
            row["status"] == "scored" and len(stores) == 1,
            f"{row['status']}, stored {len(stores)} times",
        )
    else:
        held.release()
    stack("up", "-d", "--scale", f"worker={WORKERS}", timeout=600)

    # --- the S3 store loses a hidden solution ----------------------------------------------------------------
    code = (
        "import django, sys; django.setup()\n"
        "from projects.models import Challenge\n"
        "solution = Challenge.objects.get(slug=sys.argv[1]).solution.file\n"
        "solution.storage.delete(solution.name)\n"
        "print(solution.name, solution.storage.exists(solution.name))\n"
    )
    lost = stack.exec_python("web", code, LOST_CHALLENGE).split()
    smoke.check("the hidden solution is deleted from the S3 store", lost[-1:] == ["False"], " ".join(lost))
    # New worker containers: none has the solution in its local cache. The old ones are killed (they are idle):
    # stopping waits out Celery's warm shutdown and the 3 minutes of stop_grace_period.
    for container in stack.workers(running=False):
        run(["docker", "rm", "--force", container["Id"]])
    stack("up", "-d", "--no-deps", "--scale", f"worker={WORKERS}", "worker", timeout=600)
    wait_for(lambda: workers_ready(stack, WORKERS), timeout=180, interval=1)
    lost_files = client.get(f"/api/v1/challenges/{LOST_CHALLENGE}/files/", headers=auth).json()
    lost_rows = lost_files.get("results", lost_files) if isinstance(lost_files, dict) else lost_files
    lost_sample = next((f for f in lost_rows if f["kind"] == "sample_submission"), None)
    lost_download = client.get(httpx.URL(lost_sample["download_url"]).raw_path.decode(), headers=auth)
    lost_content = fetch_inside(stack, lost_download.headers["location"])
    response = upload(client, tokens[0], LOST_CHALLENGE, lost_content)
    started = time.monotonic()
    row = final(client, [(response.json()["id"], tokens[0])], timeout=120)[0]
    error = row.get("error") or ""
    smoke.check(
        "a submission whose hidden solution is missing fails fast with the host-side message",
        row["status"] == "failed" and "interrupted" not in error and "host" in error.lower(),
        f"{row['status']} after {time.monotonic() - started:.1f} s: {error[:160]}",
    )

    # --- down / up keeps the data and the files --------------------------------------------------------------
    started = time.monotonic()
    stack("down", timeout=600)
    took_down = time.monotonic() - started
    stack("up", "-d", "--scale", f"worker={WORKERS}", timeout=900)
    web_up = wait_for(
        lambda: stack_state(stack).get("web") == ["healthy"] and workers_ready(stack, WORKERS),
        timeout=UP_SECONDS,
    )
    smoke.check(
        "down, then up: web healthy and the workers ready again",
        bool(web_up),
        f"down {took_down:.0f} s, up {time.monotonic() - started - took_down:.0f} s"
        if web_up
        else json.dumps(stack_state(stack)),
    )
    client = proxy_client(port)
    again = client.get(f"/api/v1/submissions/{first['id']}/", headers=auth)
    smoke.check(
        "the database is kept: the token works and the first submission keeps its score",
        again.status_code == 200 and again.json()["public_score"] == first["public_score"],
        f"{again.status_code} {again.text[:120]}",
    )
    download = client.get(httpx.URL(sample["download_url"]).raw_path.decode(), headers=auth)
    kept = (
        fetch_inside(stack, download.headers.get("location", ""))
        if download.status_code in (302, 307)
        else b""
    )
    smoke.check(
        "the files are kept: the download matches its sha256",
        hashlib.sha256(kept).hexdigest() == sample["sha256"],
    )
    response = upload(client, tokens[0], LOST_CHALLENGE, lost_content)
    row = final(client, [(response.json()["id"], tokens[0])], timeout=120)[0]
    smoke.check(
        "migrate's load_builtin_challenges restored the lost hidden solution: a new upload is scored",
        row["status"] == "scored",
        f"{row['status']} {(row.get('error') or '')[:120]}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild-standins", action="store_true", help="build the stand-in images again")
    parser.add_argument(
        "--project-name",
        default=PROJECT,
        help=f"compose project name (default {PROJECT}): another name for a run beside one already going",
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the stack running (no down -v) to look at it"
    )
    options = parser.parse_args()

    why_not = docker_usable()
    if why_not:
        print(f"SKIP compose smoke test: {why_not}")
        return 0
    smoke = Smoke()
    compose = compose_program()
    version = run([*compose, "version"], check=False, quiet=True).stdout.splitlines()[:1]
    smoke.note(f"compose: {' '.join(compose)} ({version[0] if version else '?'})")
    build_standins(smoke, rebuild=options.rebuild_standins)
    smoke.check("the stand-in images are there", all(image_exists(tag) for tag, _, _ in STANDIN_IMAGES))

    with tempfile.TemporaryDirectory(prefix="hub-smoke-") as work:
        port = free_port()
        env_file = Path(work) / ".env"
        values = write_env_file(env_file, port)
        stack = Stack(compose, env_file, options.project_name)
        stack("down", "-v", "--remove-orphans", check=False)  # what a run that was stopped left behind
        try:
            smoke_test(smoke, stack, values, port)
        except Exception as error:  # a step that could not even run is a failed check, with the stack's logs
            smoke.check("the smoke test ran to the end", False, f"{type(error).__name__}: {error}"[:2000])
        if smoke.failed:
            tail = stack("logs", "--tail=40", check=False, timeout=120)
            print("--- the last log lines of every service ---\n" + tail.stdout[-15000:], file=sys.stderr)
        if options.keep:
            smoke.note(f"left running: {' '.join(stack.base)} down -v  (env file {env_file} is removed now)")
        else:
            done = stack("down", "-v", "--remove-orphans", check=False, timeout=600)
            smoke.check("down -v", done.returncode == 0, done.stderr[-300:] if done.returncode else "")
    total = time.monotonic() - smoke.started
    if smoke.failed:
        print(
            f"compose smoke test: {len(smoke.failed)} check(s) FAILED in {total:.0f} s: {'; '.join(smoke.failed)}"
        )
        return 1
    print(f"compose smoke test: every check passed in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
