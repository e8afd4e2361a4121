"""The real EvalAI and Kaggle CLIs, installed from PyPI into virtualenvs of their own, once per machine (and the
hub's own `hub` CLI from hub_cli/, the same way).

Neither can share the hub's environment: evalai 1.3.18 pins click==6.7 and requests==2.25.1 (the hub needs
click 8), and its lxml==4.6.2 has no wheel for Python 3.10+ and no longer compiles. So evalai goes in with all
of its published pins but lxml, which is taken unpinned (evalai uses it only as BeautifulSoup's HTML parser).
kaggle 2.2.5 imports `six` without declaring it, so six is installed beside it. The learner's page in
docs/evalai-and-kaggle-cli.md gives the same recipes.

The virtualenvs live in .cli-venvs/ at the repository root (HUB_CLI_VENVS moves it), keyed by this recipe and
the Python version, and are built under a file lock so that parallel test runs build each one once. `Cli` runs
one of them as a learner would, in a shell of their own (the fixtures that set one up are in conftest.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

EVALAI = "evalai==1.3.18"
KAGGLE = "kaggle==2.2.5"
ROOT = Path(__file__).resolve().parents[2]
VENVS = Path(os.environ.get("HUB_CLI_VENVS", ROOT / ".cli-venvs"))

# The evalai requirements read back from its metadata, lxml's pin dropped.
_EVALAI_REQUIREMENTS = (
    "import importlib.metadata as m, json; "
    "print(json.dumps([r.replace(' ', '') for r in m.requires('evalai') if not r.startswith('lxml')]))"
)


def evalai_cli() -> Path:
    """The path of the `evalai` command."""

    def install(python: Path) -> None:
        _pip(python, "--no-deps", EVALAI)
        requirements = json.loads(_run([str(python), "-c", _EVALAI_REQUIREMENTS]))
        _pip(python, *requirements, "lxml")

    return _venv("evalai", [EVALAI, "all pins but lxml"], install) / "bin" / "evalai"


def kaggle_cli() -> Path:
    """The path of the `kaggle` command."""

    def install(python: Path) -> None:
        _pip(python, KAGGLE, "six")

    return _venv("kaggle", [KAGGLE, "six"], install) / "bin" / "kaggle"


KAGGLEHUB = "kagglehub==1.0.2"


def kagglehub_python() -> Path:
    """The Python of a venv holding kagglehub alone, as a learner's notebook has it."""

    def install(python: Path) -> None:
        _pip(python, KAGGLEHUB)

    return _venv("kagglehub", [KAGGLEHUB], install) / "bin" / "python"


def hub_cli() -> Path:
    """The path of the `hub` command installed from this checkout's hub_cli/ alone, as on a learner's machine
    (`pip install ./hub_cli`), in a venv of its own. Keyed by the CLI's files, so a change to them makes a new one."""
    source = ROOT / "hub_cli"
    digest = hashlib.sha256()
    for path in sorted([*source.glob("*.py"), source / "pyproject.toml"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())

    def install(python: Path) -> None:
        _pip(python, str(source))

    return _venv("hub", ["./hub_cli", digest.hexdigest()], install) / "bin" / "hub"


def _venv(name: str, recipe: list[str], install) -> Path:
    key = hashlib.sha256(json.dumps([recipe, sys.version]).encode()).hexdigest()[:12]
    folder = VENVS / f"{name}-{key}"
    ready = folder / ".ready"
    if ready.exists():
        return folder
    VENVS.mkdir(parents=True, exist_ok=True)
    with _locked(VENVS / f"{name}.lock"):
        if not ready.exists():
            shutil.rmtree(folder, ignore_errors=True)
            venv.create(folder, with_pip=True)
            install(folder / "bin" / "python")
            ready.touch()
    return folder


@contextlib.contextmanager
def _locked(path: Path):
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _pip(python: Path, *arguments: str) -> None:
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *arguments])


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


HUB = "http://localhost"  # where the Kaggle CLI's LOCALHOST environment points: the hub on port 80
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# The hub's own settings and any real configuration of either CLI stay out of the learner's shell.
PRIVATE_PREFIXES = ("KAGGLE_", "EVALAI_", "DJANGO_", "DATABASE_", "CELERY_", "HUB_", "XDG_", "PYTEST_")


class Cli:
    """One learner's shell: a home folder of their own and a working folder.

    The rest of the environment is kept: evalai asks pypi.org for its latest version before every command, so it
    needs this machine's certificates and proxy settings, with the hub on localhost left out of any proxy.
    """

    def __init__(self, program: Path, home: Path, **env: str):
        self.program = program
        self.work = home / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        inherited = {
            name: value for name, value in os.environ.items() if not name.startswith(PRIVATE_PREFIXES)
        }
        no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY", ""), "localhost", "127.0.0.1"]))
        self.env = inherited | {"HOME": str(home), "NO_PROXY": no_proxy, "no_proxy": no_proxy, **env}

    def __call__(self, *arguments: str, answers: str = "", ok: bool = True) -> str:
        result = subprocess.run(
            [str(self.program), *arguments],
            env=self.env,
            cwd=self.work,
            input=answers,
            capture_output=True,
            text=True,
            timeout=120,
        )
        output = ANSI.sub("", result.stdout + result.stderr)
        assert (result.returncode == 0) == ok, f"{' '.join(arguments)} exited {result.returncode}:\n{output}"
        return output
