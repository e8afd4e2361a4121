"""STORAGES as hub/settings/base.py builds them from the environment, read in a fresh process each time."""

import json
import os
import subprocess
import sys

import pytest

PRINT_STORAGES = (
    "import json; from hub.settings import base; "
    "print(json.dumps({k: v for k, v in base.STORAGES.items() if k != 'staticfiles'}, default=str))"
)


def storages_for(**environment: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HUB_STORAGE", "HUB_SOLUTIONS"))}
    return subprocess.run(
        [sys.executable, "-c", PRINT_STORAGES],
        env={**keep, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_local_disk_is_the_default():
    result = storages_for()
    assert result.returncode == 0, result.stderr
    storages = json.loads(result.stdout)
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["solutions"] == storages["default"]


def test_s3_puts_solutions_in_a_bucket_of_their_own_with_signed_expiring_addresses():
    result = storages_for(
        HUB_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="hub-files",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        HUB_DOWNLOAD_URL_SECONDS="90",
    )
    assert result.returncode == 0, result.stderr
    storages = json.loads(result.stdout)
    public, hidden = storages["default"], storages["solutions"]
    assert public["BACKEND"] == "hub.storage.S3FileStorage"
    assert hidden["BACKEND"] == "hub.storage.HiddenS3Storage"
    assert public["OPTIONS"]["bucket_name"] == "hub-files"
    assert hidden["OPTIONS"]["bucket_name"] == "hub-files-solutions"
    for options in (public["OPTIONS"], hidden["OPTIONS"]):
        assert options["querystring_auth"] is True
        assert options["querystring_expire"] == 90
        assert options["default_acl"] is None  # objects stay as private as their bucket
        assert options["file_overwrite"] is False
        assert options["addressing_style"] == "path"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"HUB_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"HUB_STORAGE": "ftp"}, "HUB_STORAGE"),
    ],
)
def test_an_incomplete_or_unknown_storage_stops_the_hub_with_the_setting_named(environment, message):
    result = storages_for(**environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
