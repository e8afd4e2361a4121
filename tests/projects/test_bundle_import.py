"""Importing challenge bundles: every named problem refused whole, atomic imports, updates and rescoring."""

import shutil
import zipfile

import pytest
import yaml
from django.core.files.storage import default_storage

import projects.services
from projects.bundles import BundleError
from projects.models import Challenge, DataFile, Dataset, Solution
from projects.services import challenge_import_bundle
from submissions.models import Submission
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv, write_bundle
from tests.conftest import upload

pytestmark = pytest.mark.django_db


def edit_manifest(folder, **changes):
    path = folder / "challenge.yaml"
    manifest = yaml.safe_load(path.read_text())
    for key, value in changes.items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    path.write_text(yaml.safe_dump(manifest))


def assert_refused(folder, *fragments: str) -> None:
    with pytest.raises(BundleError) as refused:
        challenge_import_bundle(folder)
    for fragment in fragments:
        assert fragment in str(refused.value)
    assert not Challenge.objects.exists()
    assert not Dataset.objects.exists()


def test_a_bundle_without_a_manifest_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    assert_refused(tmp_path / "empty", "no challenge.yaml")


def test_invalid_yaml_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "challenge.yaml").write_text("slug: [unclosed\n")
    assert_refused(folder, "not valid YAML")


def test_a_missing_required_key_is_named(tmp_path):
    folder = write_bundle(tmp_path / "b")
    edit_manifest(folder, metric=None)
    assert_refused(folder, "needs 'metric'")


def test_an_unknown_metric_is_named_with_the_known_ones(tmp_path):
    folder = write_bundle(tmp_path / "b", metric="acuracy")
    assert_refused(folder, "Unknown metric 'acuracy'", "accuracy")


def test_an_unknown_level_is_named(tmp_path):
    assert_refused(write_bundle(tmp_path / "b", level="expert"), "level 'expert'")


def test_a_listed_file_that_is_missing_is_named(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "data" / "train.csv").unlink()
    assert_refused(folder, "data/train.csv", "not in the bundle")


def test_a_missing_solution_is_named(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (folder / "solution.csv").unlink()
    assert_refused(folder, "solution.csv")


def test_a_file_outside_the_bundle_is_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    (tmp_path / "secret.csv").write_text("x\n")
    edit_manifest(folder, files=[{"path": "../secret.csv", "kind": "train"}])
    assert_refused(folder, "outside the bundle")


def test_solution_ids_that_differ_from_the_test_ids_are_refused(tmp_path):
    folder = write_bundle(tmp_path / "b", rows=20)
    lines = (folder / "solution.csv").read_text().splitlines()
    (folder / "solution.csv").write_text("\n".join(lines[:-2]) + "\n99,a,Public\n")
    assert_refused(folder, "solution")


def test_solution_labels_outside_the_allowed_list_are_refused(tmp_path):
    folder = write_bundle(tmp_path / "b")
    text = (folder / "solution.csv").read_text().replace(",b,", ",z,")
    (folder / "solution.csv").write_text(text)
    assert_refused(folder, "z")


def test_a_zip_with_an_unsafe_path_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../escape/challenge.yaml", "slug: x\n")
    assert_refused(archive, "unsafe path")


def test_a_zipped_bundle_imports_like_a_folder(tmp_path):
    folder = write_bundle(tmp_path / "tiny")
    archive = shutil.make_archive(str(tmp_path / "tiny"), "zip", root_dir=tmp_path, base_dir="tiny")

    result = challenge_import_bundle(archive)

    assert result.created and result.challenge.slug == "tiny"
    assert set(DataFile.objects.values_list("name", flat=True)) == {
        "train.csv",
        "test.csv",
        "sample_submission.csv",
    }
    assert folder.exists()


def test_a_public_fraction_split_is_seeded_and_written_into_the_stored_solution(tmp_path):
    folder = write_bundle(tmp_path / "b", rows=50, split={"public_fraction": 0.3, "seed": 5})
    lines = (folder / "solution.csv").read_text().splitlines()
    (folder / "solution.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")

    challenge = challenge_import_bundle(folder).challenge

    assert (challenge.solution.rows, challenge.solution.public_rows) == (50, 15)


def test_an_import_that_fails_midway_leaves_no_rows_and_no_files(tmp_path, monkeypatch):
    folder = write_bundle(tmp_path / "b")
    real_sync = projects.services._solution_sync

    def sync_then_fail(*args, **kwargs):
        real_sync(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(projects.services, "_solution_sync", sync_then_fail)

    with pytest.raises(RuntimeError):
        challenge_import_bundle(folder)

    assert not Challenge.objects.exists() and not Dataset.objects.exists() and not Solution.objects.exists()
    for top in ("datasets", "solutions"):
        if default_storage.exists(top):
            folders, files = default_storage.listdir(top)
            assert not files and all(not default_storage.listdir(f"{top}/{f}")[1] for f in folders)


def test_reimporting_an_unchanged_bundle_changes_nothing(tmp_path):
    folder = write_bundle(tmp_path / "b")
    challenge_import_bundle(folder)

    again = challenge_import_bundle(folder)

    assert (again.created, again.solution_changed, again.rescored) == (False, False, 0)


def _stored_bytes(field_file) -> bytes | None:
    storage = field_file.storage
    if not storage.exists(field_file.name):
        return None
    with storage.open(field_file.name, "rb") as handle:
        return handle.read()


def test_reimporting_an_unchanged_bundle_restores_the_stored_files_storage_lost_or_damaged(tmp_path):
    folder = write_bundle(tmp_path / "b")
    challenge = challenge_import_bundle(folder).challenge
    solution = challenge.solution
    files = list(DataFile.objects.filter(dataset=challenge.dataset).order_by("name"))
    originals = {f.name: _stored_bytes(f.file) for f in files} | {"solution": _stored_bytes(solution.file)}
    solution.file.storage.delete(solution.file.name)
    with files[0].file.storage.open(files[0].file.name, "wb") as handle:
        handle.write(b"id,label\n1,damaged\n")

    again = challenge_import_bundle(folder)

    assert (again.created, again.solution_changed, again.rescored) == (False, False, 0)
    assert sorted(again.restored) == sorted([solution.file.name, files[0].file.name])
    solution.refresh_from_db()
    assert _stored_bytes(solution.file) == originals["solution"]
    assert all(
        _stored_bytes(f.file) == originals[f.name] for f in DataFile.objects.filter(dataset=challenge.dataset)
    )
    assert challenge_import_bundle(folder).restored == ()


def test_a_new_import_does_not_reuse_a_damaged_file_stored_under_its_checksum(tmp_path):
    first = challenge_import_bundle(write_bundle(tmp_path / "a")).challenge
    name = first.solution.file.name
    intact = _stored_bytes(first.solution.file)
    with first.solution.file.storage.open(name, "wb") as handle:
        handle.write(b"damaged")
    first.delete()

    second = challenge_import_bundle(write_bundle(tmp_path / "b")).challenge

    assert second.solution.file.name == name
    assert _stored_bytes(second.solution.file) == intact


def test_a_changed_solution_rescores_existing_submissions(tmp_path, user):
    folder = write_bundle(tmp_path / "b", rows=20)
    challenge = challenge_import_bundle(folder).challenge
    submission = submission_create(
        user=user, challenge=challenge, file=upload(predictions_csv(20, correct=20))
    )
    submission_score(submission_id=submission.pk, delivery_id="first")
    submission.refresh_from_db()
    assert submission.public_score == 1.0
    write_bundle(folder, rows=20, seed=99, title="Tiny, corrected")  # other hidden labels

    result = challenge_import_bundle(folder)

    submission.refresh_from_db()
    assert (result.solution_changed, result.rescored, submission.status) == (
        True,
        1,
        Submission.Status.QUEUED,
    )
    assert result.challenge.title == "Tiny, corrected"
    submission_score(submission_id=submission.pk, delivery_id="second")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SCORED and submission.public_score < 1.0


def test_a_changed_file_replaces_the_old_one_for_the_challenge_and_version_1_keeps_its_bytes(
    tmp_path, django_capture_on_commit_callbacks
):
    folder = write_bundle(tmp_path / "b")
    challenge_import_bundle(folder)
    old = DataFile.objects.get(name="train.csv")
    (folder / "data" / "train.csv").write_text("id,feature,label\nt0,1,b\n")
    edit_manifest(
        folder, files=[{"path": "data/train.csv", "kind": "train"}, {"path": "data/test.csv", "kind": "test"}]
    )
    dropped = DataFile.objects.get(name="sample_submission.csv").file.name

    with django_capture_on_commit_callbacks(execute=True):
        challenge_import_bundle(folder)

    new = DataFile.objects.get(name="train.csv")
    assert new.sha256 != old.sha256 and new.size == len("id,feature,label\nt0,1,b\n")
    assert sorted(DataFile.objects.values_list("name", flat=True)) == ["test.csv", "train.csv"]
    # Dataset versions are immutable: version 1 still lists (and storage still holds) the old files; the
    # challenge now pins version 2, which holds the bundle's new files.
    challenge = Challenge.objects.get()
    assert challenge.dataset_version.number == 2
    assert sorted(f.name for f in challenge.dataset_version.files.all()) == ["test.csv", "train.csv"]
    version_1 = challenge.dataset.versions.get(number=1)
    assert {f.name: f.blob.sha256 for f in version_1.files.all()}["train.csv"] == old.sha256
    assert default_storage.exists(old.file.name) and default_storage.exists(dropped)


def test_the_baseline_is_scored_as_a_marked_submission(tmp_path):
    folder = write_bundle(tmp_path / "b", rows=20, baseline="baseline.csv")
    (folder / "baseline.csv").write_bytes(predictions_csv(20, correct=10))

    challenge = challenge_import_bundle(folder).challenge

    baseline = Submission.objects.get(challenge=challenge)
    assert baseline.is_baseline and baseline.user.username == "baseline" and not baseline.user.is_active


def test_a_host_imports_a_bundle_zip_in_the_admin_and_a_bad_one_is_refused_with_its_reason(
    tmp_path, admin_client
):
    write_bundle(tmp_path / "tiny")
    good = shutil.make_archive(str(tmp_path / "good"), "zip", root_dir=tmp_path / "tiny")
    write_bundle(tmp_path / "bad", metric="nope")
    bad = shutil.make_archive(str(tmp_path / "bad"), "zip", root_dir=tmp_path / "bad")

    with open(bad, "rb") as handle:
        refused = admin_client.post("/admin/projects/challenge/import-bundle/", {"bundle": handle})
    with open(good, "rb") as handle:
        accepted = admin_client.post("/admin/projects/challenge/import-bundle/", {"bundle": handle})

    assert refused.status_code == 200 and "Unknown metric &#x27;nope&#x27;" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(Challenge.objects.values_list("slug", flat=True)) == ["tiny"]


def test_an_unknown_manifest_key_is_named_instead_of_ignored(tmp_path):
    assert_refused(write_bundle(tmp_path / "b", max_upload_bytes=1000), "unknown key(s): max_upload_bytes")
