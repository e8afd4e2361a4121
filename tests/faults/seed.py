"""Run inside a child process (`manage.py shell -c`) on a database the test process does not use: import a tiny
challenge and upload submissions through the real service, which enqueues them on the real broker."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from projects.services import challenge_import_bundle
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv, write_bundle
from tests.factories import UserFactory


def seed(*, folder: str, learners: int, each: int) -> None:
    challenge = challenge_import_bundle(write_bundle(Path(folder), daily_limit=1000)).challenge
    for _ in range(learners):
        user = UserFactory()
        for correct in range(each):
            content = predictions_csv(20, correct=correct)
            submission_create(user=user, challenge=challenge, file=SimpleUploadedFile("p.csv", content))
