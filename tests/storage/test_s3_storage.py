"""The hub with its files on S3 (moto's server): where files land, signed downloads, scoring from the bucket."""

import datetime as dt
import gzip
import io
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from hub.storage import HiddenS3Storage, S3FileStorage, solution_cache_dir, solutions_storage
from projects.bundle_export import challenge_export_bundle
from projects.models import Solution
from submissions.models import Submission
from submissions.services.scoring import submission_score
from tests.bundles import expected_scores, predictions_csv
from tests.projects.test_hidden_solution import _fill
from tests.routes import url_routes
from tests.submissions.test_submission_api import submit

pytestmark = pytest.mark.django_db


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local test server)
        return response.status, response.read()


def test_switching_storages_to_s3_reaches_every_alias(s3):
    assert isinstance(default_storage, S3FileStorage)
    assert storages["default"].bucket_name == s3.public
    assert isinstance(solutions_storage(), HiddenS3Storage)
    assert solutions_storage().bucket_name == s3.solutions
    assert Solution._meta.get_field("file").storage.bucket_name == s3.solutions


def test_an_import_puts_dataset_files_in_the_public_bucket_and_the_solution_in_the_private_one(s3, challenge):
    public = s3.keys(s3.public)
    hidden = s3.keys(s3.solutions)
    assert sorted(Path(key).name for key in public) == ["sample_submission.csv", "test.csv", "train.csv"]
    assert all(key.startswith(f"datasets/{challenge.dataset.slug}/") for key in public)
    assert hidden == [challenge.solution.file.name]
    assert hidden[0].startswith(f"solutions/{challenge.slug}/")
    head = s3.client.head_object(Bucket=s3.solutions, Key=hidden[0])
    assert head["ContentLength"] == challenge.solution.file.size


def test_a_download_redirects_to_a_signed_address_that_expires_and_sends_the_bytes(client, s3, challenge):
    data_file = challenge.dataset.files.get(name="train.csv")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)

    response = client.get(f"/challenges/{challenge.slug}/files/train.csv")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == f"/{s3.public}/{data_file.file.name}"
    assert query["X-Amz-Expires"] == ["120"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Signature"][0]
    signed_at = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert before - dt.timedelta(seconds=5) <= signed_at <= dt.datetime.now(dt.UTC)
    assert query["response-content-disposition"] == ['attachment; filename="train.csv"']
    status, body = fetch(url)
    assert status == 200
    assert body == data_file.file.open("rb").read()
    assert len(body) == data_file.size


def test_head_and_unknown_files_behave_as_on_local_disk(client, s3, challenge):
    assert client.head(f"/challenges/{challenge.slug}/files/train.csv").status_code == 302
    assert client.get(f"/challenges/{challenge.slug}/files/solution.csv").status_code == 404


def test_a_gzip_file_is_stored_as_gzip_so_clients_do_not_unpack_it(s3):
    packed = gzip.compress(b"id,label\n1,a\n")
    name = default_storage.save("datasets/x/data.csv.gz", ContentFile(packed))

    head = s3.client.head_object(Bucket=s3.public, Key=name)

    assert head["ContentType"] == "application/gzip"
    assert "ContentEncoding" not in head


def test_the_solution_is_reachable_through_no_hub_address(client, s3, challenge, admin_user):
    solution_bytes = challenge.solution.file.open("rb").read()
    private_rows = [line for line in solution_bytes.decode().splitlines() if line.endswith("Private")]
    urls = {
        url
        for route in url_routes()
        for url in _fill(route, challenge, challenge.solution.file.name)
    }
    urls.add(f"/challenges/{challenge.slug}/files/train.csv")  # a real redirect to the bucket, followed below
    redirects = 0
    for who in (None, admin_user):
        if who:
            client.force_login(who)
        for url in sorted(urls):
            response = client.get(url)
            if response.status_code == 302 and response["Location"].startswith("http"):
                redirects += 1
                assert f"/{s3.solutions}/" not in response["Location"], url
                _, body = fetch(response["Location"])
            else:
                body = b"".join(response.streaming_content) if response.streaming else response.content
            assert solution_bytes not in body, url
            assert not any(row.encode() in body for row in private_rows[:3]), url
    assert redirects  # the signed addresses of dataset files were followed too
    with pytest.raises(NotImplementedError):
        challenge.solution.file.url  # noqa: B018 (the property is the test)


def test_the_zip_of_all_files_and_the_bundle_export_read_from_the_buckets(client, s3, challenge, tmp_path):
    response = client.get(f"/challenges/{challenge.slug}/data.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert sorted(archive.namelist()) == ["sample_submission.csv", "test.csv", "train.csv"]
        assert (
            archive.read("train.csv") == challenge.dataset.files.get(name="train.csv").file.open("rb").read()
        )

    folder = challenge_export_bundle(challenge, tmp_path / "export")

    solution_name = Path(challenge.solution.file.name).name
    assert (folder / "solution" / solution_name).read_bytes() == challenge.solution.file.open("rb").read()
    assert (folder / "data" / "test.csv").exists()


def test_submissions_are_scored_from_the_bucket_and_the_solution_is_downloaded_once(
    auth_client, s3, challenge, monkeypatch, tmp_path
):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    opened = []
    original_open = HiddenS3Storage._open
    monkeypatch.setattr(
        HiddenS3Storage,
        "_open",
        lambda self, name, mode="rb": opened.append(name) or original_open(self, name, mode),
    )
    ids = [
        submit(auth_client, challenge.slug, predictions_csv(20, correct=correct)).json()["id"]
        for correct in (15, 20)
    ]
    assert len([key for key in s3.keys(s3.public) if key.startswith("submissions/")]) == 2

    for submission_id in ids:
        submission_score(submission_id=submission_id, delivery_id=f"delivery-{submission_id}")

    for submission_id, correct in zip(ids, (15, 20), strict=True):
        submission = Submission.objects.get(pk=submission_id)
        assert submission.status == Submission.Status.SCORED, submission.error
        assert submission.public_score == pytest.approx(expected_scores(20, correct=correct)[0])
    assert opened == [challenge.solution.file.name]
    cached = list(solution_cache_dir().rglob("*"))
    assert [path.name for path in cached if path.is_file()] == [Path(challenge.solution.file.name).name]
    assert not list(temporary.iterdir())  # each submission's copy was removed after scoring
