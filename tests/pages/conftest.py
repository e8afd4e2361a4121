import datetime as dt
import zipfile

import pytest
from django.utils import timezone

from projects.services import challenge_import_bundle
from submissions.models import Submission
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv, write_bundle
from tests.conftest import upload
from tests.images import png_bytes


def scored(challenge, user, correct: int, *, minutes_ago: int = 0, rows: int = 20) -> Submission:
    """A submission uploaded and scored for real (the service, then the scorer), dated minutes_ago."""
    submission = submission_create(
        user=user, challenge=challenge, file=upload(predictions_csv(rows, correct=correct))
    )
    Submission.objects.filter(pk=submission.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    submission_score(submission_id=submission.pk, delivery_id=f"page-test-{submission.pk}")
    submission.refresh_from_db()
    assert submission.status == "scored", submission.error
    return submission


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
