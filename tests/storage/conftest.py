"""A real S3 API on a local port (moto's server, in a thread), and settings that put the hub's files on it."""

import shutil
import uuid
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

from hub.storage import solution_cache_dir

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass(frozen=True)
class S3Buckets:
    client: object  # a boto3 S3 client
    public: str
    solutions: str

    def keys(self, bucket: str) -> list[str]:
        return [item["Key"] for item in self.client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def s3_storages(endpoint: str, public: str, solutions: str) -> dict:
    """STORAGES as hub/settings/base.py builds them for HUB_STORAGE=s3."""
    options = {
        "endpoint_url": endpoint,
        "addressing_style": "path",
        "region_name": REGION,
        "access_key": CREDENTIALS["aws_access_key_id"],
        "secret_key": CREDENTIALS["aws_secret_access_key"],
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "max_memory_size": 1024,
    }
    return {
        "default": {"BACKEND": "hub.storage.S3FileStorage", "OPTIONS": {**options, "bucket_name": public}},
        "solutions": {
            "BACKEND": "hub.storage.HiddenS3Storage",
            "OPTIONS": {**options, "bucket_name": solutions},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def s3(settings, s3_endpoint) -> S3Buckets:
    """Fresh buckets for this test, and the hub's files on them. The solution cache starts empty too."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)
    name = uuid.uuid4().hex[:12]
    buckets = S3Buckets(client, public=f"hub-{name}", solutions=f"hub-{name}-solutions")
    for bucket in (buckets.public, buckets.solutions):
        client.create_bucket(Bucket=bucket)
    settings.STORAGES = s3_storages(s3_endpoint, buckets.public, buckets.solutions)
    settings.HUB_DOWNLOAD_URL_SECONDS = 120
    shutil.rmtree(solution_cache_dir(), ignore_errors=True)
    return buckets


@pytest.fixture
def s3_environment(s3_endpoint, s3) -> dict[str, str]:
    """The environment that gives a child process (a worker) the same buckets, read by hub/settings/base.py."""
    return {
        "HUB_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": s3.public,
        "HUB_SOLUTIONS_BUCKET": s3.solutions,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
    }
