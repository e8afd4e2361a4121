"""Benchmark: memory of downloads and uploads through the API, streamed (`hub` CLI, hub server) against a naive client
that holds the whole file (httpx `.content` / `read_bytes()`, as clients that "hold whole files in memory" do).

    python bench/api_streaming.py                    # files of 8, 64 and 256 MB
    python bench/api_streaming.py --sizes 16,128     # sizes in MB
    python bench/api_streaming.py --sizes "" --zip-gb 1  # only the download-all zip of a 1 GB dataset version

It sets up a hub in a temporary folder (SQLite, one gunicorn sync worker, no Celery worker: uploads stay queued),
with a challenge whose data includes one file of each size. For each size it then runs, one after the other:
`hub download`, the naive download, `hub submit`, the naive upload, each in a fresh process, and reports each
client's peak RSS (ru_maxrss from wait4) and wall time, and how much the server worker's peak RSS (VmHWM) grew
during the request. Peak RSS includes the interpreter and imports (about 40-60 MB), so compare the growth with size.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bundles import write_bundle  # noqa: E402

BIN = Path(sys.executable).parent

NAIVE_DOWNLOAD = """
import sys, httpx
data = httpx.get(sys.argv[1], timeout=300).content
open(sys.argv[2], "wb").write(data)
"""
STREAM_DOWNLOAD = """
import sys, httpx
with httpx.stream("GET", sys.argv[1], timeout=600) as response:
    assert response.status_code == 200, response.status_code
    total = sum(len(chunk) for chunk in response.iter_bytes(1 << 20))
assert total == int(response.headers["Content-Length"]), total
"""
# A dataset version of --zip-gb in four files, its zip built once as the worker builds it; then the zip and the same
# bytes published as one plain file are each streamed by the same client. The files are random bytes named .zst
# (data compressed already), so the zip stores them as they are, as it would real compressed data.
ZIP_SETUP = """
import os, time
from pathlib import Path
from django.core.files import File
from django.contrib.auth import get_user_model
from projects.dataset_services import dataset_create
from projects.dataset_finish import dataset_version_finish
from projects.models import DatasetVersion
owner = get_user_model().objects.get(username="bench")
parts = sorted(Path(os.environ["BENCH_PARTS"]).glob("part-*.zst"))
handles = [path.open("rb") for path in parts]
dataset = dataset_create(owner=owner, slug="big", title="Big", licence_id="MIT",
                         files=[File(h, name=p.name) for h, p in zip(handles, parts)])
version = dataset.versions.get()
started = time.monotonic()
dataset_version_finish(version_id=version.pk)
built = time.monotonic() - started
version.refresh_from_db()
with version.zip_file.open("rb") as zipped:
    dataset_create(owner=owner, slug="same-bytes", title="Same bytes", licence_id="MIT",
                   files=[File(zipped, name="same-bytes.zip.bin")])
print(built, version.zip_size, version.zip_sha256)
"""
NAIVE_UPLOAD = """
import sys, pathlib, httpx
content = pathlib.Path(sys.argv[2]).read_bytes()
r = httpx.post(sys.argv[1], files={"file": ("big.csv", content)}, headers={"Authorization": "Token " + sys.argv[3]},
               timeout=300)
assert r.status_code == 201, r.text
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_measured(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed: {process.stderr.read().decode()[-2000:]}")
    return usage.ru_maxrss / 1024, seconds


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def django(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="8,64,256", help="file sizes in MB, comma-separated")
    parser.add_argument(
        "--zip-gb", type=float, default=0, help="also the zip of a dataset version this big (GB)"
    )
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",") if size]

    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.base",
        "HUB_VAR_DIR": str(work / "var"),
        "HUB_API_RATE_USER": "100000/minute",
        "HUB_API_RATE_ANON": "100000/minute",
        "HUB_DATASET_QUOTA_BYTES": str(10**12),
        "HUB_DATASET_MAX_FILE_BYTES": str(10**12),
    }
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    try:
        bundle = write_bundle(work / "bundle", slug="bench", rows=20)
        files = []
        for size in sizes:
            name = f"blob-{size}mb.bin"
            with (bundle / "data" / name).open("wb") as handle:
                for _ in range(size):
                    handle.write(secrets.token_bytes(1024 * 1024))
            files.append(f"- path: data/{name}\n  kind: other\n")
        manifest = (bundle / "challenge.yaml").read_text()
        marker = "  kind: sample_submission\n"
        (bundle / "challenge.yaml").write_text(manifest.replace(marker, marker + "".join(files)))
        django(env, "migrate", "--verbosity=0")
        django(env, "import_challenge", str(bundle))
        token = django(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; from rest_framework.authtoken.models import Token;"
            "from projects.models import Challenge;"
            "Challenge.objects.filter(slug='bench').update(max_upload_bytes=10**10, daily_limit=1000);"
            "u = get_user_model().objects.create_user('bench', password='x');"
            "print(Token.objects.create(user=u).key)",
        ).split()[-1]

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "hub.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "300"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            worker = worker_pid(server.pid)
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            client_env = {**env, "HUB_URL": url, "HUB_TOKEN": token, "XDG_CONFIG_HOME": str(work / "config")}
            # Warm-up: the worker's first requests import the app's modules; that growth is not the transfer's.
            small = bundle / "data" / "sample_submission.csv"
            run_measured(
                [str(BIN / "hub"), "download", "bench", "test.csv", "--to", str(work / "hub")],
                client_env,
                work,
            )
            run_measured([str(BIN / "hub"), "submit", "bench", str(small)], client_env, work)
            print(
                f"{'size':>6}  {'operation':<16} {'client peak RSS':>16} {'time':>8} {'server peak RSS growth':>23}"
            )
            for size in sizes:
                name = f"blob-{size}mb.bin"
                download_url = f"{url}/challenges/bench/files/{name}"
                upload_url = f"{url}/api/v1/challenges/bench/submissions/"
                runs = [
                    (
                        "hub download",
                        [str(BIN / "hub"), "download", "bench", name, "--to", str(work / "hub")],
                    ),
                    (
                        "naive download",
                        [sys.executable, "-c", NAIVE_DOWNLOAD, download_url, str(work / "naive.bin")],
                    ),
                    ("hub submit", [str(BIN / "hub"), "submit", "bench", str(bundle / "data" / name)]),
                    (
                        "naive upload",
                        [sys.executable, "-c", NAIVE_UPLOAD, upload_url, str(bundle / "data" / name), token],
                    ),
                ]
                for label, command in runs:
                    before = vm_hwm_mb(worker)
                    peak, seconds = run_measured(command, client_env, work)
                    growth = vm_hwm_mb(worker) - before
                    print(f"{size:>4}MB  {label:<16} {peak:>13.1f} MB {seconds:>7.2f}s {growth:>20.1f} MB")
                    shutil.rmtree(work / "hub", ignore_errors=True)
                    (work / "naive.bin").unlink(missing_ok=True)
            if arguments.zip_gb:
                zip_benchmark(env, client_env, url, work, worker, arguments.zip_gb)
        finally:
            server.terminate()
            server.wait(30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def zip_benchmark(
    env: dict[str, str], client_env: dict[str, str], url: str, work: Path, worker: int, gb: float
):
    parts = work / "parts"
    parts.mkdir()
    part_mb = int(gb * 1024 / 4)
    for index in range(4):
        with (parts / f"part-{index}.zst").open("wb") as handle:
            for _ in range(part_mb):
                handle.write(secrets.token_bytes(1024 * 1024))
    built, zip_size, zip_sha256 = django(
        {**env, "BENCH_PARTS": str(parts)}, "shell", "-c", ZIP_SETUP
    ).split()[-3:]
    shutil.rmtree(parts)
    print(f"zip of {gb:g} GB in 4 files: built once in {float(built):.1f} s, {int(zip_size) / 2**20:.0f} MB")
    runs = [
        ("download-all zip", f"{url}/api/v1/datasets/bench/big/download/?version=1"),
        ("same bytes, 1 file", f"{url}/datasets/bench/same-bytes/versions/1/files/same-bytes.zip.bin"),
    ]
    for label, address in runs:
        before = vm_hwm_mb(worker)
        peak, seconds = run_measured([sys.executable, "-c", STREAM_DOWNLOAD, address], client_env, work)
        growth = vm_hwm_mb(worker) - before
        print(
            f"{int(zip_size) / 2**20:>6.0f}MB  {label:<18} {peak:>11.1f} MB {seconds:>7.2f}s {growth:>20.1f} MB"
        )


if __name__ == "__main__":
    main()
