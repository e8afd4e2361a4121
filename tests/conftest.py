from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from projects.builtin import build_all
from projects.services import challenge_import_bundle
from tests.bundles import write_bundle
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit and sign-in counters live in the cache, which outlives a test: each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def builtin_bundles(tmp_path_factory) -> dict[str, Path]:
    """slug -> folder of every built-in challenge's bundle, built once per session (about 20 s)."""
    return {folder.name: folder for folder in build_all(tmp_path_factory.mktemp("builtin"))}


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def make_challenge(db, tmp_path_factory):
    """Import a tiny bundle; keyword arguments go into its challenge.yaml."""

    def make(slug: str = "tiny", rows: int = 20, **manifest):
        folder = write_bundle(tmp_path_factory.mktemp("bundle"), slug=slug, rows=rows, **manifest)
        return challenge_import_bundle(folder).challenge

    return make


@pytest.fixture
def challenge(make_challenge):
    return make_challenge()


def upload(content: bytes, name: str = "predictions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")
