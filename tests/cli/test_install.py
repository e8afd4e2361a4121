"""The `hub` CLI installs on a learner's machine without the hub: `pip install ./hub_cli` into a bare venv brings
httpx, click and rich, and no Django, pandas or pyarrow."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.compat.clients import ROOT, hub_cli

# What the server needs and a learner's machine must not have to install.
SERVER_ONLY = {
    "django",
    "djangorestframework",
    "pandas",
    "pyarrow",
    "numpy",
    "scikit-learn",
    "celery",
    "kombu",
}
# The distributions the CLI itself declares (hub_cli/pyproject.toml).
CLI_DEPENDENCIES = {"httpx", "click", "rich"}

# Each distribution of the venv with the bytes its RECORD lists, read inside that venv.
_INSTALLED = """
import importlib.metadata as metadata, json, os
sizes = {}
for dist in metadata.distributions():
    name = dist.metadata["Name"].lower().replace("_", "-")
    sizes[name] = sum(
        os.path.getsize(path) for path in (dist.locate_file(f) for f in dist.files or []) if os.path.isfile(path)
    )
print(json.dumps(sizes))
"""


def _installed(python: Path) -> dict[str, int]:
    result = subprocess.run(
        [str(python), "-c", _INSTALLED], capture_output=True, text=True, timeout=60, cwd="/"
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_cli_installs_alone_without_django_pandas_or_pyarrow():
    hub = hub_cli()
    # From / so that nothing of this checkout is importable: only what pip installed runs.
    result = subprocess.run([str(hub), "--help"], capture_output=True, text=True, timeout=60, cwd="/")
    assert result.returncode == 0, result.stderr
    assert "Usage: hub" in result.stdout
    assert "submit" in result.stdout

    installed = _installed(hub.parent / "python")
    assert {"practice-hub-cli", *CLI_DEPENDENCIES} <= set(installed)
    assert not SERVER_ONLY & set(installed), sorted(SERVER_ONLY & set(installed))
    assert "practice-hub" not in installed

    tools = {"pip", "setuptools"}
    size = sum(bytes_ for name, bytes_ in installed.items() if name not in tools)
    listing = ", ".join(
        f"{name} {bytes_ / 1e6:.1f}" for name, bytes_ in sorted(installed.items()) if name not in tools
    )
    print(f"\nhub CLI installed size: {size / 1e6:.1f} MB without pip and setuptools ({listing}; MB)")


def test_the_cli_imports_only_the_standard_library_and_its_declared_dependencies():
    """Every import in hub_cli/, at the top or inside a function: an import of the hub (hub, projects, Django...)
    or of a package the CLI does not declare would fail on a learner's machine only when that code runs."""
    allowed = set(sys.stdlib_module_names) | CLI_DEPENDENCIES | {"hub_cli"}
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "hub_cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["hub_cli"] if node.level else [node.module or ""]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(path.name)
    assert {"httpx", "click", "rich"} <= set(found), "the check reads the imports as expected"
    outside = {name: sorted(files) for name, files in found.items() if name not in allowed}
    assert not outside, f"hub_cli imports what a learner's install has not got: {outside}"
