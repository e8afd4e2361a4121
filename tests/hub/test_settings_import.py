"""Reading the settings writes nothing: folders are made where they are first needed."""

import os
import subprocess
import sys

from kombu import Connection

import hub.celery  # noqa: F401  (registers the hub's transport for filesystem:// URLs)


def test_importing_the_settings_creates_no_folder(tmp_path):
    var_dir = tmp_path / "var"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL", "EMAIL_URL"}},
        "HUB_VAR_DIR": str(var_dir),
        "SECRET_KEY": "a-key-of-this-test-only",
        "CELERY_BROKER_URL": "filesystem://localhost/",
    }
    for module in ("hub.settings.base", "hub.settings.test"):
        subprocess.run(
            [sys.executable, "-c", f"import {module}"], env=env, check=True, timeout=60, capture_output=True
        )
        assert not var_dir.exists(), module
        assert list(tmp_path.iterdir()) == []


def test_the_embedded_broker_makes_its_folders_on_the_first_connection(tmp_path):
    options = {
        "data_folder_in": str(tmp_path / "broker" / "queue"),
        "data_folder_out": str(tmp_path / "broker" / "queue"),
        "control_folder": str(tmp_path / "broker" / "control"),
    }
    with Connection("filesystem://", transport="filesystem", transport_options=options) as connection:
        channel = connection.default_channel
        channel._put("scoring", {"body": "hello"})
        assert channel._get("scoring") == {"body": "hello"}
    assert sorted(path.name for path in (tmp_path / "broker").iterdir()) == ["control", "queue"]
