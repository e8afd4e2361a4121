"""The real `kaggle` CLI (2.2.5) and kagglehub (1.0.x), installed from the package index, against the hub served by
gunicorn on port 80 (where KAGGLE_API_ENVIRONMENT=LOCALHOST points): list, files, download of one file and of all,
create and version; kagglehub's dataset_download and competition_download. Files come back byte-identical."""

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from projects.dataset_services import dataset_create
from projects.models import Dataset
from projects.services import challenge_import_bundle
from tests.bundles import write_bundle

from .conftest import NOTES, TRAIN, csv_file

pytestmark = [pytest.mark.slow]

IMAGES = bytes(range(256)) * 64  # binary content: a text mode anywhere would change it


@pytest.fixture
def own_storage():
    """Here the web server's storage is the test's: no folder of the test's own."""


@pytest.fixture
def hub(transactional_db, hub_on_port_80, learner):
    """A live hub with ada/weather (public, two files) and a private dataset of someone else."""
    dataset_create(
        owner=learner,
        slug="weather",
        title="Weather",
        licence_id="CC-BY-4.0",
        files=[csv_file("train.csv", TRAIN), csv_file("notes.md", NOTES), csv_file("blob.bin", IMAGES)],
    )
    return hub_on_port_80


def test_the_kaggle_cli_lists_shows_and_downloads_a_dataset_byte_for_byte(kaggle, hub, learner):
    assert "ada/weather" in kaggle("datasets", "list")
    assert "ada/weather" in kaggle("datasets", "list", "-s", "weath")
    files = kaggle("datasets", "files", "ada/weather")
    assert "train.csv" in files and "notes.md" in files and "blob.bin" in files

    kaggle("datasets", "download", "ada/weather", "-f", "blob.bin", "-p", "one")
    assert (kaggle.work / "one" / "blob.bin").read_bytes() == IMAGES

    kaggle("datasets", "download", "ada/weather", "-p", "all")
    with zipfile.ZipFile(kaggle.work / "all" / "weather.zip") as zipped:
        assert zipped.read("train.csv") == TRAIN and zipped.read("blob.bin") == IMAGES

    kaggle("datasets", "download", "ada/weather", "-p", "unzipped", "--unzip")
    assert (kaggle.work / "unzipped" / "train.csv").read_bytes() == TRAIN
    assert (kaggle.work / "unzipped" / "notes.md").read_bytes() == NOTES


def test_the_kaggle_cli_creates_a_dataset_and_a_new_version(kaggle, hub, learner):
    folder = kaggle.work / "birds"
    folder.mkdir()
    (folder / "counts.csv").write_bytes(b"species,count\nrobin,3\nwren,5\n")
    (folder / "photo.bin").write_bytes(IMAGES)
    metadata = {"title": "Garden birds", "id": "ada/garden-birds", "licenses": [{"name": "CC0-1.0"}]}
    (folder / "dataset-metadata.json").write_text(json.dumps(metadata))

    output = kaggle("datasets", "create", "-p", str(folder))
    assert "being created" in output, output
    dataset = Dataset.objects.get(owner=learner, slug="garden-birds")
    assert dataset.visibility == "private" and dataset.licence_id == "CC0-1.0"
    first = dataset.versions.get()
    assert sorted(f.name for f in first.files.all()) == ["counts.csv", "photo.bin"]
    assert first.files.get(name="photo.bin").blob.file.open("rb").read() == IMAGES

    (folder / "counts.csv").write_bytes(b"species,count\nrobin,4\nwren,5\nblackbird,1\n")
    (folder / "photo.bin").unlink()
    kaggle("datasets", "version", "-p", str(folder), "-m", "Spring count")
    second = dataset.versions.get(number=2)
    assert second.note == "Spring count" and [f.name for f in second.files.all()] == ["counts.csv"]
    assert sorted(f.name for f in dataset.versions.get(number=1).files.all()) == ["counts.csv", "photo.bin"]

    kaggle("datasets", "download", "ada/garden-birds", "-f", "counts.csv", "-p", "back")
    assert (kaggle.work / "back" / "counts.csv").read_bytes() == (folder / "counts.csv").read_bytes()


def test_the_kaggle_cli_gets_404_for_someone_elses_private_dataset(kaggle, hub, other_user):
    dataset_create(
        owner=other_user,
        slug="hidden",
        title="Hidden",
        licence_id="MIT",
        visibility="private",
        files=[csv_file("x.csv", b"x\n1\n")],
    )
    ref = f"{other_user.username}/hidden"
    assert "There is no dataset" in kaggle("datasets", "files", ref, ok=False)
    assert "There is no dataset" in kaggle("datasets", "download", ref, "-p", "x", ok=False)
    assert ref not in kaggle("datasets", "list")


KAGGLEHUB_SCRIPT = """
import sys, kagglehub
print("PATH=" + kagglehub.dataset_download(sys.argv[1]))
print("PATH=" + kagglehub.competition_download(sys.argv[2]))
"""


def test_kagglehub_downloads_a_dataset_and_a_competition_byte_for_byte(kagglehub_bin, hub, learner, tmp_path):
    challenge = challenge_import_bundle(write_bundle(tmp_path / "bundle", slug="digits", rows=20)).challenge
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
        "KAGGLE_API_ENVIRONMENT": "LOCALHOST",
        "KAGGLE_USERNAME": learner.username,
        "KAGGLE_KEY": learner.key,
        "KAGGLEHUB_CACHE": str(tmp_path / "cache"),
        "NO_PROXY": "localhost,127.0.0.1",
    }
    result = subprocess.run(
        [str(kagglehub_bin), "-c", KAGGLEHUB_SCRIPT, "ada/weather", challenge.slug],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    paths = [line.removeprefix("PATH=") for line in result.stdout.splitlines() if line.startswith("PATH=")]
    dataset_path, competition_path = (Path(path) for path in paths)
    assert (dataset_path / "train.csv").read_bytes() == TRAIN
    assert (dataset_path / "blob.bin").read_bytes() == IMAGES
    for data_file in challenge.dataset.files.all():
        assert (competition_path / data_file.name).read_bytes() == data_file.file.open("rb").read()
