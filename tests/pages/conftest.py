import zipfile

import pytest

from projects.services import challenge_import_bundle
from tests.bundles import write_bundle
from tests.images import png_bytes


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return client


FILES = [
    {"path": "data/train.csv", "kind": "train"},
    {"path": "data/test.csv", "kind": "test"},
    {"path": "data/sample_submission.csv", "kind": "sample_submission"},
    {"path": "data/images.zip", "kind": "images", "description": "Training images"},
]


@pytest.fixture
def image_challenge(db, tmp_path):
    """The tiny test challenge with a zip of labelled training images (t0.png .. t4.png, as in train.csv)."""
    folder = write_bundle(tmp_path / "bundle", slug="pictures", files=FILES)
    with zipfile.ZipFile(folder / "data" / "images.zip", "w") as archive:
        for index in range(5):
            archive.writestr(f"train/t{index}.png", png_bytes(40 * index))
    return challenge_import_bundle(folder).challenge
