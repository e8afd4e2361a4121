"""First run: the seconds from `make run` on a fresh clone to the hub answering /healthz, pip's cache warm.

    python3 bench/first_run.py --ref HEAD --baseline 902fab6 --repeat 2 [--port 8131] [--builtins]

Each checkout is `git clone`d from this repository into a new folder under /tmp (fresh-clone-...), at --ref for
the code under test and at --baseline for the code before, so neither has a venv, a database or static files yet.
`make run` is started there with a free PORT and the environment of a newcomer (no HUB_, DJANGO_, DATABASE_URL or
CELERY_ variables), as its own process group; /healthz is asked every 0.2 s until it answers 200. The hub is then
stopped as Ctrl-C stops it (SIGINT to the group) and the clone removed (--keep keeps it). The two are run one after
the other, alternating with --repeat, so both see the same (shared, noisy) machine.

Also printed for each: the CPU seconds make and everything under it had used when /healthz answered (a figure
the machine's load does not stretch as it does the wall clock), the seconds until make's log shows runhub starting
(the install: venv, pip or uv, the project), the seconds load_builtin_challenges reports for building and importing
the built-in challenges (after /healthz since runhub serves first), the venv the hub ran in, whether pytest is
importable there, and its size on disk.

Caches: pip's (`make test`, and `make run` before it used uv) and, since `make run` installs with uv, uv's
(~/.cache/uv) and the pinned uv itself (~/.cache/practice-hub/): all three are warm once `make run` has run once on
the machine, from any checkout. Run it once first to measure warm caches.

PYTHONDONTWRITEBYTECODE: kept as the environment has it (this machine sets it to 1, so no process writes .pyc
files and every one compiles what it imports); --write-bytecode drops it, as for a newcomer's shell, where the first
process to import a module writes its .pyc and those after it read that.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DROPPED = ("HUB_", "DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL", "VIRTUAL_ENV")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def first_run(
    source: Path,
    ref: str,
    label: str,
    *,
    timeout: float,
    keep: bool,
    port: int | None = None,
    builtins: bool = False,
    write_bytecode: bool = False,
) -> dict:
    clone = Path(tempfile.mkdtemp(prefix=f"fresh-clone-{label}-", dir="/tmp"))
    subprocess.run(["git", "clone", "--quiet", str(source), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", "--detach", ref], check=True)
    commit = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    port = port or free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith(DROPPED)}
    environment["PORT"] = str(port)
    if write_bytecode:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
    log = (clone / "make-run.log").open("w")
    started = time.monotonic()
    make = subprocess.Popen(
        ["make", "run"],
        cwd=clone,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    seconds = cpu = None
    phases: dict[str, float] = {}
    try:
        while time.monotonic() - started < timeout and make.poll() is None:
            mark_phases(clone / "make-run.log", phases, time.monotonic() - started)
            if healthy(port):
                seconds = time.monotonic() - started
                cpu = tree_cpu(make.pid)
                break
            time.sleep(0.2)
        # Since runhub serves first, the built-in challenges load after /healthz: --builtins waits for them too.
        while (
            builtins and seconds is not None and time.monotonic() - started < timeout and make.poll() is None
        ):
            if len(builtin_lines(clone)) >= BUILTIN_COUNT:
                phases["builtins_ready"] = time.monotonic() - started
                break
            time.sleep(0.5)
    finally:
        stop(make)
        log.close()
    venv = next(folder for folder in (clone / ".venv-run", clone / ".venv") if folder.exists())
    has_pytest = (
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import pytest"], capture_output=True, cwd="/"
        ).returncode
        == 0
    )
    size = subprocess.run(["du", "-sm", str(venv)], capture_output=True, text=True).stdout.split()[0]
    result = {
        "label": label,
        "commit": commit,
        "seconds": seconds,
        # When make's log first showed each step (to 0.2 s): the install ends where runhub starts.
        "installed": phases.get("installed"),
        "builtins": sum(float(value) for value in builtin_lines(clone)),
        "builtins_ready": phases.get("builtins_ready"),
        "venv": venv.name,
        "pytest": has_pytest,
        "venv_mb": int(size),
        "cpu": cpu,
        "exit": make.returncode,
    }
    if seconds is None:
        print((clone / "make-run.log").read_text()[-3000:], file=sys.stderr)
    if keep:
        result["clone"] = str(clone)
    else:
        shutil.rmtree(clone, ignore_errors=True)
    return result


def tree_cpu(root: int) -> float:
    """CPU seconds (user and system) used so far by the process root and everything under it, ended children
    included (a parent's stat counts the children it has waited for): what the run cost whatever the machine's
    load, which stretches only the wall-clock figures. Linux's /proc; runhub's processes are in sessions of their
    own, so the tree is followed by parent, not by process group."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            parents[pid] = int(fields[1])
            times[pid] = sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def mark_phases(log: Path, phases: dict[str, float], now: float) -> None:
    if "installed" not in phases and "manage.py runhub" in log.read_text(errors="replace"):
        phases["installed"] = now


BUILTIN_COUNT = 4


def builtin_lines(clone: Path) -> list[str]:
    """The seconds load_builtin_challenges reported per challenge ("<slug>: created (46.4 s)"): in make's log
    before runhub served first, in var/logs/builtin.log since."""
    text = "".join(
        path.read_text(errors="replace")
        for path in (clone / "make-run.log", clone / "var" / "logs" / "builtin.log")
        if path.exists()
    )
    return re.findall(r"^[\w-]+: [\w ]+ \(([\d.]+) s\)$", text, flags=re.MULTILINE)


def stop(make: subprocess.Popen) -> None:
    """Ctrl-C to the whole group (make, runhub, gunicorn, celery), then harder if it has not gone in 60 s."""
    for sig, wait in ((signal.SIGINT, 60), (signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if make.poll() is not None:
            break
        try:
            os.killpg(make.pid, sig)
        except ProcessLookupError:
            break
        try:
            make.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        break
    # make ends at once on a signal, runhub (in its group) stops the hub's processes after it: give it time.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(make.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    # Children of the group that outlived make (none should).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(make.pid, signal.SIGKILL)


def main() -> None:
    # Started in the background by a shell, this process ignores Ctrl-C, and so would make and runhub: they get
    # it as from a terminal.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--source", type=Path, default=ROOT, help="the repository to clone (default: this one)"
    )
    parser.add_argument("--ref", default="HEAD", help="the commit under test")
    parser.add_argument("--baseline", help="a commit to run the same way before it, e.g. 902fab6")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for /healthz")
    parser.add_argument("--keep", action="store_true", help="keep the clones (and their make-run.log)")
    parser.add_argument("--port", type=int, help="the port make run serves on (default: a free one)")
    parser.add_argument(
        "--builtins",
        action="store_true",
        help="after /healthz, also wait until the built-in challenges are loaded",
    )
    parser.add_argument(
        "--write-bytecode",
        action="store_true",
        help="drop PYTHONDONTWRITEBYTECODE from make's environment (a newcomer's shell)",
    )
    options = parser.parse_args()
    source = options.source.resolve()
    # A ref is resolved here, so HEAD means this repository's HEAD, not the clone's default branch.
    refs = [("new", options.ref)] + ([("baseline", options.baseline)] if options.baseline else [])
    refs = [
        (
            label,
            subprocess.run(
                ["git", "-C", str(source), "rev-parse", ref], capture_output=True, text=True, check=True
            ).stdout.strip(),
        )
        for label, ref in refs
    ]
    for round_number in range(options.repeat):
        order = refs if round_number % 2 == 0 else list(reversed(refs))
        for label, ref in order:
            load = os.getloadavg()[0]
            result = first_run(
                source,
                ref,
                label,
                timeout=options.timeout,
                keep=options.keep,
                port=options.port,
                builtins=options.builtins,
                write_bytecode=options.write_bytecode,
            )
            result["load"] = load
            shown = f"{result['seconds']:.1f} s" if result["seconds"] is not None else "no answer"
            installed = f"{result['installed']:.1f} s" if result["installed"] is not None else "?"
            ready = result["builtins_ready"]
            bytecode = (
                "PYTHONDONTWRITEBYTECODE set"
                if os.environ.get("PYTHONDONTWRITEBYTECODE") and not options.write_bytecode
                else ".pyc written on import"
            )
            loaded = f", all loaded at {ready:.1f} s" if ready is not None else ""
            print(
                f"{label:9} {result['commit']}  make run -> /healthz {shown:>8} (install {installed}, "
                f"built-in challenges {result['builtins']:.1f} s{loaded})   venv {result['venv']} "
                f"{result['venv_mb']} MB, pytest {'present' if result['pytest'] else 'absent'}   "
                f"CPU {result['cpu'] or 0:.0f} s to /healthz   "
                f"(load {load:.1f} at start; {bytecode})",
                flush=True,
            )


if __name__ == "__main__":
    main()
