from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.dataset_services import dataset_create
from tests.compat.conftest import (  # noqa: F401 (the real clients' fixtures)
    hub_on_port_80,
    kaggle,
    kaggle_bin,
    kagglehub_bin,
    learner,
)


def csv_file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


TRAIN = b"id,feature,label\n1,0.5,cat\n2,0.7,dog\n3,0.1,cat\n"
NOTES = b"# Notes\nA small dataset for tests.\n"


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """Each test stores its files in a folder of its own, so what a test left behind can be counted."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "media")}},
    }


def stored_files() -> set[str]:
    """Every file name in the default storage (local disk in tests)."""
    root = Path(default_storage.location)
    return (
        {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
        if root.exists()
        else set()
    )


@pytest.fixture
def published(user):
    """user/weather: version 1 with train.csv and notes.md."""
    return dataset_create(
        owner=user,
        slug="weather",
        title="Weather",
        licence_id="CC-BY-4.0",
        files=[csv_file("train.csv", TRAIN), csv_file("notes.md", NOTES)],
        tags=["tabular", "Weather Data"],
    )
