"""The default upload limit comes from HUB_DEFAULT_MAX_UPLOAD_BYTES when a challenge is made, not from a migration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from projects.models import Challenge
from projects.services import challenge_import_bundle
from tests.bundles import write_bundle

ROOT = Path(__file__).resolve().parents[2]


def test_changing_the_variable_leaves_the_migrations_clean():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "HUB_DEFAULT_MAX_UPLOAD_BYTES": "1234",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.django_db
def test_a_bundle_without_a_limit_gets_the_hubs_default_of_the_moment(settings, tmp_path):
    settings.HUB_DEFAULT_MAX_UPLOAD_BYTES = 1234
    challenge_import_bundle(write_bundle(tmp_path / "bundle"))
    assert Challenge.objects.get().max_upload_bytes == 1234
