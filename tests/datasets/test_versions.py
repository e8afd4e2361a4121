"""Versions are immutable, content is stored once, and a challenge keeps the version it was built on."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from projects.dataset_finish import dataset_version_finish
from projects.dataset_services import dataset_create, dataset_version_create
from projects.errors import DatasetForbidden, DatasetInvalid
from projects.models import Blob, DataFile, DatasetVersion
from projects.services import baseline_user, challenge_import_bundle
from tests.bundles import write_bundle

from .conftest import NOTES, TRAIN, csv_file, stored_files

pytestmark = pytest.mark.django_db


def test_publishing_makes_version_1_with_the_files_and_their_checksums(published):
    version = published.versions.get()
    assert version.number == 1
    files = {f.name: (f.blob.size, f.blob.sha256) for f in version.files.select_related("blob")}
    assert files == {
        "train.csv": (len(TRAIN), hashlib.sha256(TRAIN).hexdigest()),
        "notes.md": (len(NOTES), hashlib.sha256(NOTES).hexdigest()),
    }
    assert sorted(published.tags.values_list("name", flat=True)) == ["tabular", "weather-data"]


def test_a_second_upload_of_the_same_content_stores_nothing_new(published, user, other_user):
    before_files, before_blobs = stored_files(), Blob.objects.count()

    dataset_version_create(dataset=published, user=user, files=[csv_file("train.csv", TRAIN)], note="same")
    dataset_create(
        owner=other_user, slug="copy", title="Copy", licence_id="MIT", files=[csv_file("renamed.csv", TRAIN)]
    )

    assert stored_files() == before_files
    assert Blob.objects.count() == before_blobs


def test_a_new_version_never_changes_an_earlier_one(published, user):
    first = {f.name: f.blob.sha256 for f in published.versions.get(number=1).files.all()}

    version = dataset_version_create(
        dataset=published,
        user=user,
        files=[csv_file("train.csv", TRAIN + b"4,0.9,dog\n")],
        remove=["notes.md"],
    )

    assert version.number == 2
    assert [f.name for f in version.files.all()] == ["train.csv"]
    assert {f.name: f.blob.sha256 for f in published.versions.get(number=1).files.all()} == first
    # Both contents are stored: version 1 can still be downloaded whole.
    assert Blob.objects.filter(sha256__in=first.values()).count() == 2


def test_only_the_owner_publishes_a_version_and_unknown_removals_are_refused(published, user, other_user):
    with pytest.raises(DatasetForbidden):
        dataset_version_create(dataset=published, user=other_user, files=[csv_file("x.csv", b"a\n1\n")])
    with pytest.raises(DatasetInvalid, match="no file named 'nope.csv'"):
        dataset_version_create(dataset=published, user=user, remove=["nope.csv"])
    with pytest.raises(DatasetInvalid, match="at least one file"):
        dataset_version_create(dataset=published, user=user, remove=["train.csv", "notes.md"])
    assert published.versions.count() == 1


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b.csv", "a\\b.csv", "..", "bad\x00.csv", ""])
def test_file_names_with_folders_or_control_characters_are_refused(user, name):
    with pytest.raises(DatasetInvalid, match="not a file name"):
        dataset_create(owner=user, slug="x", title="X", licence_id="MIT", files=[_named(name, b"a")])
    assert not Blob.objects.exists() and not stored_files()


def _named(name: str, content: bytes) -> ContentFile:
    """A file whose name is kept as given (Django's UploadedFile drops folders from its name itself)."""
    return ContentFile(content, name=name)


def test_the_finish_task_previews_each_file_once_and_builds_the_zip(published):
    version = published.versions.get()
    dataset_version_finish(version_id=version.pk)
    version.refresh_from_db()
    train = version.files.get(name="train.csv").blob
    assert train.preview["type"] == "table" and train.preview["row_count"] == 3
    assert train.preview["balance"]["column"] == "label"
    assert version.zip_state == DatasetVersion.ZipState.READY
    with version.zip_file.open("rb") as zipped:
        assert hashlib.sha256(zipped.read()).hexdigest() == version.zip_sha256
    assert version.zip_file.size == version.zip_size


def test_a_challenge_keeps_its_pinned_version_when_the_dataset_moves_on(tmp_path):
    challenge = challenge_import_bundle(write_bundle(tmp_path / "b", slug="pinned")).challenge
    dataset = challenge.dataset
    assert dataset.owner == baseline_user()
    assert challenge.dataset_version.number == 1
    pinned = {f.name: f.blob.sha256 for f in challenge.dataset_version.files.all()}
    assert pinned == {f.name: f.sha256 for f in DataFile.objects.filter(dataset=dataset)}

    dataset_version_create(dataset=dataset, user=dataset.owner, files=[csv_file("extra.csv", b"a,b\n1,2\n")])
    challenge.refresh_from_db()

    assert dataset.versions.count() == 2
    assert challenge.dataset_version.number == 1
    assert {f.name: f.blob.sha256 for f in challenge.dataset_version.files.all()} == pinned
    assert {f.name: f.sha256 for f in DataFile.objects.filter(dataset=dataset)} == pinned


def test_importing_the_same_bundle_again_keeps_version_1(tmp_path):
    folder = write_bundle(tmp_path / "b", slug="again")
    challenge_import_bundle(folder)
    blobs = Blob.objects.count()
    challenge = challenge_import_bundle(folder).challenge
    assert challenge.dataset.versions.count() == 1 and challenge.dataset_version.number == 1
    assert Blob.objects.count() == blobs
