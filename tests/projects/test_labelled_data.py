"""A challenge from labelled data: Analytics Vidhya's Age Detection download, exactly as AV ships it (`train.csv`
with `ID,Class` and a `Train/` folder of JPEGs named by ID), becomes a working challenge with no file edited."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from projects.hosting import challenge_create_from_labelled, host_grant
from projects.labelled import LabelledDataError, LabelledSpec
from projects.models import Challenge
from projects.selectors import challenge_data_files
from submissions.models import Submission
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.conftest import upload
from tests.factories import UserFactory
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

CLASSES = {"MIDDLE": 30, "YOUNG": 18, "OLD": 12}  # AV's own imbalance, smaller


def age_detection_zip() -> tuple[bytes, dict[str, str]]:
    """train.csv (ID,Class) and Train/<ID>.jpg, as in AV's train_DETg9GD.zip."""
    labels, number = {}, 100
    for label, count in CLASSES.items():
        for _ in range(count):
            labels[f"{number}.jpg"] = label
            number += 7
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("train.csv", "ID,Class\n" + "".join(f"{i},{c}\n" for i, c in labels.items()))
        for image_id in labels:
            archive.writestr(f"Train/{image_id}", jpeg_bytes(16))
    return payload.getvalue(), labels


@pytest.fixture
def host():
    user = UserFactory()
    host_grant(user=user)
    return user


def spec(**changes) -> LabelledSpec:
    values = {
        "slug": "age-detection-class",
        "title": "Age Detection (class)",
        "id_column": "ID",
        "target_column": "Class",
    }
    return LabelledSpec(**(values | changes))


def rows(data_file) -> list[dict[str, str]]:
    with data_file.file.open("rb") as handle:
        return list(csv.DictReader(io.StringIO(handle.read().decode())))


def test_avs_age_detection_download_becomes_a_working_challenge_with_no_file_edited(host):
    content, labels = age_detection_zip()
    challenge = challenge_create_from_labelled(
        host=host, upload=SimpleUploadedFile("train.zip", content), spec=spec()
    )
    assert (challenge.is_published, challenge.visibility) == (False, "private")
    assert list(challenge.hosts.all()) == [host]
    assert sorted(challenge.allowed_labels) == ["MIDDLE", "OLD", "YOUNG"]
    files = {f.name: f for f in challenge_data_files(challenge)}
    assert set(files) == {
        "train.csv",
        "test.csv",
        "sample_submission.csv",
        "train_images.zip",
        "test_images.zip",
    }
    train, test = rows(files["train.csv"]), rows(files["test.csv"])
    assert len(test) == 12 and len(train) == 48  # a 20% hold-out
    assert list(test[0]) == ["ID"]  # no labels in the test file
    assert {row["ID"] for row in train} | {row["ID"] for row in test} == set(labels)
    held_out = [labels[row["ID"]] for row in test]
    assert {label: held_out.count(label) for label in CLASSES} == {
        "MIDDLE": 6,
        "YOUNG": 4,
        "OLD": 2,
    }  # stratified
    with files["test_images.zip"].file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert sorted(names) == sorted(f"Test/{row['ID']}" for row in test)
    solution = challenge.solution
    assert (solution.rows, solution.public_rows) == (12, 6)

    baseline = Submission.objects.get(challenge=challenge, is_baseline=True)
    submission_score(submission_id=baseline.pk, delivery_id="labelled-baseline")
    baseline.refresh_from_db()
    assert baseline.status == "scored", baseline.error
    assert baseline.public_score is not None and baseline.public_score < 1

    perfect = "ID,Class\n" + "".join(f"{row['ID']},{labels[row['ID']]}\n" for row in test)
    submission = submission_create(user=host, challenge=challenge, file=upload(perfect.encode()))
    submission_score(submission_id=submission.pk, delivery_id="labelled-perfect")
    submission.refresh_from_db()
    assert (submission.status, submission.public_score, submission.private_score) == ("scored", 1.0, 1.0)


def test_the_same_data_and_seed_give_the_same_split(host, tmp_path):
    from projects.labelled import bundle_from_labelled

    content, _ = age_detection_zip()
    source = tmp_path / "train.zip"
    source.write_bytes(content)
    first = bundle_from_labelled(source=source, dest=tmp_path / "a", spec=spec())
    second = bundle_from_labelled(source=source, dest=tmp_path / "b", spec=spec())
    for name in ("data/test.csv", "solution/solution.csv", "data/train_images.zip"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    third = bundle_from_labelled(source=source, dest=tmp_path / "c", spec=spec(seed=7))
    assert (third / "data/test.csv").read_bytes() != (first / "data/test.csv").read_bytes()


def test_a_bare_csv_of_numbers_becomes_a_regression_challenge_with_a_mean_baseline(host):
    table = "house,rooms,price\n" + "".join(f"h{i},{i % 5},{100 + i}\n" for i in range(40))
    challenge = challenge_create_from_labelled(
        host=host,
        upload=SimpleUploadedFile("houses.csv", table.encode()),
        spec=spec(slug="houses", title="Houses", id_column="house", target_column="price", metric="rmse"),
    )
    assert challenge.metric == "rmse" and challenge.allowed_labels == []
    sample = rows(challenge_data_files(challenge).get(name="sample_submission.csv"))
    assert len(sample) == 8 and list(sample[0]) == ["house", "price"]


@pytest.mark.parametrize(
    ("content", "changes", "says"),
    [
        (b"ID,Class\n" + b"".join(b"%d,a\n" % i for i in range(20)), {}, "1 different labels"),
        (b"ID,Label\n1,a\n", {}, "There is no target column 'Class'. The CSV's columns: ID, Label."),
        (b"ID,Class\n" + b"1,a\n" * 12, {}, "The id '1' appears more than once"),
        (
            b"ID,Class\n" + b"".join(b"%d,%s\n" % (i, b"ab"[i % 2 : i % 2 + 1]) for i in range(12)),
            {"metric": "roc_auc"},
            "use a bundle for it",
        ),
        (
            b"ID,Class\n" + b"".join(b"%d,x\n" % i for i in range(12)),
            {"metric": "rmse"},
            "needs numbers in Class",
        ),
        (b"ID,Class\n1,a\n2,b\n", {}, "at least 10"),
        (
            b"ID,Class\n" + b"".join(b"%d,%s\n" % (i, b"ab"[i % 2 : i % 2 + 1]) for i in range(12)),
            {"test_share": 0.9},
            "between 0.05 and 0.5",
        ),
    ],
)
def test_labelled_data_that_cannot_become_a_challenge_is_refused_naming_the_fix(host, content, changes, says):
    with pytest.raises(LabelledDataError, match=None) as error:
        challenge_create_from_labelled(
            host=host, upload=SimpleUploadedFile("data.csv", content), spec=spec(**changes)
        )
    assert says in str(error.value)
    assert not Challenge.objects.exists()


def test_an_image_missing_for_an_id_is_named(host):
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("train.csv", "ID,Class\n" + "".join(f"{i}.jpg,{'ab'[i % 2]}\n" for i in range(12)))
        for i in range(11):
            archive.writestr(f"Train/{i}.jpg", jpeg_bytes(8))
    with pytest.raises(LabelledDataError, match="No image for '11.jpg'"):
        challenge_create_from_labelled(
            host=host, upload=SimpleUploadedFile("t.zip", payload.getvalue()), spec=spec()
        )


def test_a_host_creates_it_in_the_web_and_a_learner_may_not(host):
    content, _ = age_detection_zip()
    form = {
        "slug": "age-web",
        "title": "Age (web)",
        "id_column": "ID",
        "target_column": "Class",
        "metric": "accuracy",
        "test_share": "0.2",
        "seed": "42",
    }
    learner = Client()
    learner.force_login(UserFactory())
    assert (
        learner.post("/host/labelled/", form | {"data": SimpleUploadedFile("t.zip", content)}).status_code
        == 403
    )
    client = Client()
    client.force_login(host)
    response = client.post("/host/labelled/", form | {"data": SimpleUploadedFile("t.zip", content)})
    assert response.status_code == 302 and response["Location"] == "/host/challenges/age-web/"
    bad = client.post(
        "/host/labelled/",
        form | {"slug": "age-2", "target_column": "Age", "data": SimpleUploadedFile("t.zip", content)},
    )
    assert bad.status_code == 400 and "There is no target column" in bad.content.decode()


def test_the_api_creates_it_for_hosts_with_a_201_and_refuses_bad_columns_with_a_400(host):
    from rest_framework.test import APIClient

    content, _ = age_detection_zip()
    client = APIClient()
    client.force_authenticate(host)
    form = {"slug": "age-api", "title": "Age (API)", "id_column": "ID", "target_column": "Class"}
    response = client.post(
        "/api/v1/labelled-challenges/", form | {"data": SimpleUploadedFile("t.zip", content)}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["is_published"] is False and response.json()["visibility"] == "private"
    bad = client.post(
        "/api/v1/labelled-challenges/",
        form | {"slug": "age-2", "id_column": "Id", "data": SimpleUploadedFile("t.zip", content)},
    )
    assert bad.status_code == 400 and "There is no id column 'Id'" in bad.json()["error"]
    learner = APIClient()
    learner.force_authenticate(UserFactory())
    refused = learner.post(
        "/api/v1/labelled-challenges/", form | {"slug": "age-3", "data": SimpleUploadedFile("t.zip", content)}
    )
    assert refused.status_code == 403


def _damaged(content: bytes, member_index: int) -> bytes:
    """The zip with one byte of a member's data flipped: its directory is whole (is_zipfile passes), its CRC not."""
    header = -1
    for _ in range(member_index + 1):
        header = content.index(b"PK\x03\x04", header + 1)
    name_length = int.from_bytes(content[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(content[header + 28 : header + 30], "little")
    start = header + 30 + name_length + extra_length
    return content[:start] + bytes([content[start] ^ 0xFF]) + content[start + 1 :]


@pytest.mark.parametrize("member_index", [0, 5], ids=["the-labelled-csv", "an-image"])
def test_a_damaged_zip_is_a_400_naming_it_on_the_api_and_the_page(host, member_index):
    from rest_framework.test import APIClient

    content, _ = age_detection_zip()
    damaged = _damaged(content, member_index)
    form = {"slug": "age-damaged", "title": "Age", "id_column": "ID", "target_column": "Class"}
    api = APIClient()
    api.force_authenticate(host)
    response = api.post("/api/v1/labelled-challenges/", form | {"data": SimpleUploadedFile("t.zip", damaged)})
    assert response.status_code == 400, response.content
    assert "The zip is damaged" in response.json()["error"]
    page = Client()
    page.force_login(host)
    answer = page.post(
        "/host/labelled/",
        form
        | {"metric": "accuracy", "test_share": "0.2", "seed": "42"}
        | {"data": SimpleUploadedFile("t.zip", damaged)},
    )
    assert answer.status_code == 400 and "The zip is damaged" in answer.content.decode()
    assert not Challenge.objects.filter(slug="age-damaged").exists()
