"""`hub datasets list|show|download|create|version`, the CLI of this checkout installed in a venv of its own, as a
learner runs it, against the live server: progress bars, sha256-checked resumable downloads, publishing."""

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from projects.dataset_services import dataset_create
from projects.models import Dataset
from tests.compat.clients import hub_cli
from tests.datasets.conftest import NOTES, TRAIN, csv_file

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def hub_bin() -> Path:
    return hub_cli()


@pytest.fixture
def hub(hub_bin, live_server, tmp_path, token):
    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DJANGO_"))}
        environment |= {
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "HUB_URL": live_server.url,
            "HUB_TOKEN": token,
            "COLUMNS": "200",
        }
        result = subprocess.run(
            [str(hub_bin), *args], env=environment, capture_output=True, text=True, timeout=120, cwd=tmp_path
        )
        assert "Traceback" not in result.stderr, result.stderr
        assert (result.returncode == 0) == ok, result.stdout + result.stderr
        return result

    return run


@pytest.fixture
def weather(learner):
    return dataset_create(
        owner=learner,
        slug="weather",
        title="Weather",
        licence_id="CC-BY-4.0",
        files=[csv_file("train.csv", TRAIN), csv_file("notes.md", NOTES)],
    )


def test_list_show_and_download_with_checksums(hub, weather, tmp_path):
    assert "ada/weather" in hub("datasets", "list").stdout
    rows = json.loads(hub("datasets", "list", "--json", "-s", "weath").stdout)
    assert [row["ref"] for row in rows] == ["ada/weather"]
    shown = hub("datasets", "show", "ada/weather").stdout
    assert "Version 1" in shown and "train.csv" in shown

    downloaded = json.loads(hub("datasets", "download", "ada/weather", "--to", "data", "--json").stdout)
    assert {d["name"] for d in downloaded} == {"train.csv", "notes.md"}
    assert (tmp_path / "data" / "train.csv").read_bytes() == TRAIN
    again = json.loads(
        hub("datasets", "download", "ada/weather", "train.csv", "--to", "data", "--json").stdout
    )
    assert again[0]["status"] == "up-to-date"

    zipped = json.loads(
        hub("datasets", "download", "ada/weather", "--zip", "--unzip", "--to", "z", "--json").stdout
    )
    version = weather.versions.get()
    version.refresh_from_db()
    assert zipped[0]["sha256"] == version.zip_sha256
    assert hashlib.sha256((tmp_path / zipped[0]["path"]).read_bytes()).hexdigest() == version.zip_sha256
    assert (tmp_path / "z" / "notes.md").read_bytes() == NOTES


def test_create_and_version_publish_a_folder(hub, learner, tmp_path):
    folder = tmp_path / "birds"
    folder.mkdir()
    (folder / "counts.csv").write_bytes(b"species,count\nrobin,3\n")
    (folder / "notes.md").write_bytes(b"Counted in May.\n")
    created = json.loads(
        hub(
            "datasets",
            "create",
            str(folder),
            "--slug",
            "birds",
            "--title",
            "Birds",
            "--licence",
            "CC0-1.0",
            "--tag",
            "nature",
            "--json",
        ).stdout
    )
    assert created["ref"] == "ada/birds" and created["tags"] == ["nature"]

    (folder / "notes.md").unlink()
    (folder / "counts.csv").write_bytes(b"species,count\nrobin,4\n")
    version = json.loads(
        hub(
            "datasets", "version", "ada/birds", str(folder), "-m", "June", "--remove", "notes.md", "--json"
        ).stdout
    )
    assert version["number"] == 2 and [f["name"] for f in version["files"]] == ["counts.csv"]
    assert Dataset.objects.get(slug="birds").versions.count() == 2

    refused = hub(
        "datasets", "create", str(folder), "--slug", "birds", "--title", "B", "--licence", "MIT", ok=False
    )
    assert "already have a dataset" in refused.stderr
