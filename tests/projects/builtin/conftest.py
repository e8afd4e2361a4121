"""Fixtures for the built-in challenge tests: every bundle is built once per session (about 20 s)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from projects.builtin import build_all


@pytest.fixture(scope="session")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """slug -> bundle folder, for every built-in challenge."""
    return {folder.name: folder for folder in build_all(tmp_path_factory.mktemp("builtin"))}


@pytest.fixture(scope="session")
def manifests(bundles: dict[str, Path]) -> dict[str, dict]:
    return {slug: yaml.safe_load((folder / "challenge.yaml").read_text()) for slug, folder in bundles.items()}
