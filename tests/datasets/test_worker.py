"""End to end: a dataset published over the API gets its previews and its zip from a real `celery worker` process
on the real broker and database, without anyone downloading it first."""

import hashlib

import pytest
from rest_framework.test import APIClient

from projects.models import DatasetVersion
from tests.processes import CeleryWorker, wait_for

from .conftest import TRAIN, csv_file

pytestmark = [pytest.mark.slow]


@pytest.fixture
def own_storage():
    """The worker process reads the storage of the settings it starts with: no folder of the test's own here."""


@pytest.fixture
def worker(transactional_db, tmp_path):
    process = CeleryWorker("datasets-worker", tmp_path).start()
    yield process
    process.stop()


def test_the_worker_previews_the_files_and_builds_the_zip_after_publishing(worker, user):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        "/api/v1/datasets/",
        {"slug": "queued", "title": "Queued", "licence": "MIT", "files": [csv_file("train.csv", TRAIN)]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()

    def built():
        version = DatasetVersion.objects.filter(dataset__slug="queued").first()
        return version if version and version.zip_state == DatasetVersion.ZipState.READY else None

    version = wait_for(built, timeout=90, message="the worker to build the zip")
    preview = version.files.get().blob.preview
    assert preview["type"] == "table" and preview["row_count"] == 3
    with version.zip_file.open("rb") as zipped:
        assert hashlib.sha256(zipped.read()).hexdigest() == version.zip_sha256
    detail = client.get(f"/api/v1/datasets/{user.username}/queued/").json()
    assert detail["versions"][0]["zip_sha256"] == version.zip_sha256
