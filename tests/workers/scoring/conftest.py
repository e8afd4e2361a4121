"""Fixtures for the engine's tests; the helpers they use live in helpers.py, which tests import directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workers.scoring.helpers import Digits, Files


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


@pytest.fixture
def digits(files: Files) -> Digits:
    return Digits(files)
