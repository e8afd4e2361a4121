"""The built-in challenges: each imports, its sample and baseline submissions score, and export/import round-trips."""

import csv
import hashlib
import io
import zipfile

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from projects.builtin import BUILTIN_CHALLENGES
from projects.bundle_export import challenge_export_bundle
from projects.models import Challenge, DataFile
from projects.services import CHALLENGE_FIELDS, challenge_import_bundle
from submissions.models import Submission
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def score(challenge, user, content: bytes, name: str = "submission.csv") -> Submission:
    submission = submission_create(
        user=user, challenge=challenge, file=SimpleUploadedFile(name, content), description=name
    )
    submission_score(submission_id=submission.pk, delivery_id=f"test-{submission.pk}")
    submission.refresh_from_db()
    return submission


def data_files(challenge) -> list[tuple[str, str, str]]:
    return sorted(DataFile.objects.filter(dataset=challenge.dataset).values_list("name", "kind", "sha256"))


def run_baseline(challenge) -> Submission:
    baseline = Submission.objects.get(challenge=challenge, is_baseline=True)
    submission_score(submission_id=baseline.pk, delivery_id="baseline")
    baseline.refresh_from_db()
    return baseline


@pytest.mark.parametrize("slug", list(BUILTIN_CHALLENGES))
def test_each_builtin_imports_and_its_sample_and_baseline_score(slug, builtin_bundles, user):
    challenge = challenge_import_bundle(builtin_bundles[slug]).challenge
    sample = DataFile.objects.get(dataset=challenge.dataset, name="sample_submission.csv")

    scored_sample = score(challenge, user, sample.file.open("rb").read())
    baseline = run_baseline(challenge)

    assert scored_sample.status == "scored", scored_sample.error
    assert baseline.status == "scored", baseline.error
    if slug == "identify-the-digits":
        assert baseline.public_score >= 0.95 and baseline.private_score >= 0.95


@pytest.mark.parametrize("slug", list(BUILTIN_CHALLENGES))
def test_export_then_import_gives_the_same_challenge_and_scores(slug, builtin_bundles, user, tmp_path):
    original = challenge_import_bundle(builtin_bundles[slug]).challenge
    exported = challenge_export_bundle(original, tmp_path / "export.zip")
    folder = tmp_path / "copy"
    zipfile.ZipFile(exported).extractall(folder)
    manifest = yaml.safe_load((folder / "challenge.yaml").read_text())
    manifest["slug"] = f"{slug}-copy"
    manifest["dataset"]["slug"] = f"{manifest['dataset']['slug']}-copy"
    (folder / "challenge.yaml").write_text(yaml.safe_dump(manifest))

    copy = challenge_import_bundle(folder).challenge

    for field in CHALLENGE_FIELDS:
        assert getattr(copy, field) == getattr(original, field), field
    assert (copy.start_at, copy.starter_kit) == (original.start_at, original.starter_kit)
    assert copy.solution.sha256 == original.solution.sha256
    assert data_files(copy) == data_files(original)
    original_baseline, copied_baseline = run_baseline(original), run_baseline(copy)
    assert (copied_baseline.public_score, copied_baseline.private_score) == (
        original_baseline.public_score,
        original_baseline.private_score,
    )


def test_both_digit_layouts_score_against_the_same_hidden_labels(builtin_bundles, user):
    challenge = challenge_import_bundle(builtin_bundles["identify-the-digits"]).challenge
    baseline = run_baseline(challenge)
    solution = list(csv.DictReader(io.StringIO(challenge.solution.file.open("rb").read().decode())))
    image_id_of = {row["filename"]: row["ImageId"] for row in solution}
    predictions = list(csv.DictReader(io.StringIO(baseline.file.open("rb").read().decode())))
    kaggle = "ImageId,Label\n" + "".join(f"{image_id_of[p['filename']]},{p['label']}\n" for p in predictions)

    kaggle_scored = score(challenge, user, kaggle.encode(), "kaggle.csv")

    assert kaggle_scored.status == "scored", kaggle_scored.error
    assert (kaggle_scored.public_score, kaggle_scored.private_score) == (
        baseline.public_score,
        baseline.private_score,
    )


def _stored_sha256(field_file) -> str | None:
    storage = field_file.storage
    if not storage.exists(field_file.name):
        return None
    with storage.open(field_file.name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_loading_the_builtins_again_restores_stored_files_that_storage_lost_or_damaged():
    slug = "breast-cancer-diagnosis"
    call_command("load_builtin_challenges", slug, stdout=io.StringIO())
    challenge = Challenge.objects.get(slug=slug)
    solution = challenge.solution
    data_file = DataFile.objects.filter(dataset=challenge.dataset).order_by("name").first()
    solution.file.storage.delete(solution.file.name)  # the bucket lost it
    with data_file.file.storage.open(data_file.file.name, "wb") as handle:  # the disk damaged it
        handle.write(b"not the file that was imported\n")

    output = io.StringIO()
    call_command("load_builtin_challenges", slug, stdout=output)

    report = output.getvalue()
    assert f"{slug}: up to date, restored 2 missing or damaged file(s)" in report, report
    assert solution.file.name in report and data_file.file.name in report
    solution.refresh_from_db()
    data_file.refresh_from_db()
    assert _stored_sha256(solution.file) == solution.sha256
    assert _stored_sha256(data_file.file) == data_file.sha256

    again = io.StringIO()
    call_command("load_builtin_challenges", slug, stdout=again)
    assert f"{slug}: up to date (" in again.getvalue()
