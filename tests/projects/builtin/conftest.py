"""Fixtures for the built-in challenge tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml


@pytest.fixture(scope="session")
def bundles(builtin_bundles: dict[str, Path]) -> dict[str, Path]:
    """slug -> bundle folder, for every built-in challenge (built once per session, see tests/conftest.py)."""
    return builtin_bundles


@pytest.fixture(scope="session")
def manifests(bundles: dict[str, Path]) -> dict[str, dict]:
    return {slug: yaml.safe_load((folder / "challenge.yaml").read_text()) for slug, folder in bundles.items()}
