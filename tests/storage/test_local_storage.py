"""The default: every file in one private folder on local disk, streamed by the hub, read in place by the worker."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage, storages

from hub.storage import local_copy, signed_download_url, solution_cache_dir, solutions_storage

pytestmark = pytest.mark.django_db


def test_solutions_stay_in_the_same_private_folder_under_the_same_names(challenge):
    folder = Path(settings.VAR_DIR) / "storage"
    assert isinstance(storages["solutions"], FileSystemStorage)
    assert Path(solutions_storage().location) == Path(default_storage.location) == folder
    assert challenge.solution.file.name.startswith(f"solutions/{challenge.slug}/")
    assert Path(challenge.solution.file.path).is_relative_to(folder)


def test_a_download_is_streamed_by_the_hub_not_redirected(client, challenge):
    data_file = challenge.dataset.files.get(name="train.csv")
    assert signed_download_url(data_file.file, filename=data_file.name) is None

    response = client.get(f"/challenges/{challenge.slug}/files/train.csv")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(data_file.file.path).read_bytes()
    assert response["ETag"] == f'"{data_file.sha256}"'


def test_the_worker_reads_local_files_where_they_are(challenge):
    shutil.rmtree(solution_cache_dir(), ignore_errors=True)
    solution = challenge.solution
    with local_copy(solution.file, sha256=solution.sha256) as path:
        assert path == Path(solution.file.path)
    assert path.exists()  # never removed: it is the stored file itself
    assert not solution_cache_dir().exists()
