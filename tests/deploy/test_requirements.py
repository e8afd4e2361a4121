"""pyproject.toml and the lock files in requirements/ agree: every direct dependency has an upper bound and is
listed once, the locks pin a version inside its range, and the runtime lock (what `make run` and the image
install) has none of the test tools."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
CLI_PROJECT = tomllib.loads((ROOT / "hub_cli" / "pyproject.toml").read_text())["project"]

RUNTIME = PROJECT["dependencies"]
DEV = PROJECT["optional-dependencies"]["dev"]
CLI = CLI_PROJECT["dependencies"]
LISTS = {"dependencies": RUNTIME, "dev": DEV, "hub_cli": CLI}

# What tests and linting need and a running hub does not (issue 14: the running hub's venv has none of them).
TEST_TOOLS = {"pytest", "moto", "schemathesis", "playwright", "ruff", "hypothesis", "factory-boy"}


def locked(name: str) -> dict[str, Version]:
    text = (ROOT / "requirements" / name).read_text()
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", text, flags=re.MULTILINE)
    assert pins, f"no pins read from requirements/{name}"
    return {canonicalize_name(package): Version(version) for package, version in pins}


RUN_LOCK = locked("run.txt")
DEV_LOCK = locked("dev.txt")


@pytest.mark.parametrize("list_name", sorted(LISTS))
def test_every_direct_dependency_is_listed_once_with_an_upper_bound(list_name):
    requirements = [Requirement(text) for text in LISTS[list_name]]
    names = [canonicalize_name(requirement.name) for requirement in requirements]
    assert sorted({name for name in names if names.count(name) > 1}) == []
    unbounded = [
        str(requirement)
        for requirement in requirements
        if not any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier)
    ]
    assert unbounded == [], f"{list_name}: no upper bound on {unbounded}"


@pytest.mark.parametrize(
    "list_name, lock_name, lock",
    [
        ("dependencies", "run.txt", RUN_LOCK),
        ("dependencies", "dev.txt", DEV_LOCK),
        ("dev", "dev.txt", DEV_LOCK),
    ]
    + [("hub_cli", "dev.txt", DEV_LOCK)],
)
def test_the_lock_pins_every_direct_dependency_inside_its_range(list_name, lock_name, lock):
    for text in LISTS[list_name]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} is not in requirements/{lock_name}: run `make lock`"
        assert requirement.specifier.contains(lock[name], prereleases=True), (
            f"requirements/{lock_name} pins {name}=={lock[name]}, outside {requirement.specifier}: run `make lock`"
        )


def test_the_dev_lock_installs_the_versions_of_the_runtime_lock():
    assert set(RUN_LOCK) <= set(DEV_LOCK)
    assert {name: DEV_LOCK[name] for name in RUN_LOCK if DEV_LOCK[name] != RUN_LOCK[name]} == {}


def test_the_runtime_lock_has_no_test_tools():
    assert set(RUN_LOCK) & TEST_TOOLS == set()
    assert [name for name in RUN_LOCK if name.startswith("pytest")] == []
    assert set(DEV_LOCK) >= TEST_TOOLS, "the dev lock is where they are"


def test_kombu_is_held_to_the_minor_release_the_filesystem_broker_patch_is_tested_on():
    """hub/filesystem_broker.py overrides kombu's private Channel._put (tests/hub/test_filesystem_broker.py)."""
    (kombu,) = [Requirement(text) for text in RUNTIME if canonicalize_name(Requirement(text).name) == "kombu"]
    tested = RUN_LOCK["kombu"]
    assert kombu.specifier.contains(tested)
    next_minor = Version(f"{tested.major}.{tested.minor + 1}.0")
    assert not kombu.specifier.contains(next_minor), f"kombu {next_minor} would be allowed untested"
