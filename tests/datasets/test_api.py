"""The REST API of datasets: listing, detail, files, the zip, publishing, and its refusals."""

import hashlib
import io
import zipfile

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from projects.dataset_finish import dataset_version_finish
from projects.dataset_services import dataset_create
from projects.models import Blob, Dataset, DatasetVersion

from .conftest import NOTES, TRAIN, csv_file, stored_files

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_list_gives_each_dataset_its_ref_and_filters_by_q_tag_and_owner(published, api_client, user):
    rows = api_client.get("/api/v1/datasets/").json()["results"]
    assert [row["ref"] for row in rows] == [f"{user.username}/weather"]
    assert rows[0]["licence"] == "CC-BY-4.0" and rows[0]["latest_version"] == 1
    assert api_client.get("/api/v1/datasets/?q=weath").json()["count"] == 1
    assert api_client.get("/api/v1/datasets/?q=nothing").json()["count"] == 0
    assert api_client.get("/api/v1/datasets/?tag=tabular").json()["count"] == 1
    assert api_client.get("/api/v1/datasets/?tag=images").json()["count"] == 0
    assert api_client.get(f"/api/v1/datasets/?owner={user.username}").json()["count"] == 1
    assert api_client.get("/api/v1/datasets/?owner=someone-else").json()["count"] == 0
    assert api_client.get("/api/v1/datasets/?sort=downloads").json()["count"] == 1
    refused = api_client.get("/api/v1/datasets/?sort=best")
    assert refused.status_code == 400 and "recent or downloads" in refused.json()["error"]


def test_detail_files_and_a_resumed_download_match_the_listed_checksums(published, api_client, user):
    detail = api_client.get(f"/api/v1/datasets/{user.username}/weather/").json()
    assert [v["number"] for v in detail["versions"]] == [1]
    files = api_client.get(f"/api/v1/datasets/{user.username}/weather/versions/1/files/").json()
    train = next(f for f in files if f["name"] == "train.csv")
    assert train["size"] == len(TRAIN) and train["sha256"] == hashlib.sha256(TRAIN).hexdigest()

    whole = api_client.get(train["download_url"])
    assert whole.status_code == 200 and _body(whole) == TRAIN
    assert whole["ETag"] == f'"{train["sha256"]}"'
    part = api_client.get(train["download_url"], HTTP_RANGE="bytes=5-", HTTP_IF_RANGE=whole["ETag"])
    assert part.status_code == 206 and _body(part) == TRAIN[5:]
    assert api_client.get(train["download_url"], HTTP_IF_NONE_MATCH=whole["ETag"]).status_code == 304


def test_the_zip_sent_is_the_one_whose_size_and_sha256_the_api_announced(published, api_client, user):
    dataset_version_finish(version_id=published.versions.get().pk)
    version = api_client.get(f"/api/v1/datasets/{user.username}/weather/").json()["versions"][0]
    assert version["zip_ready"] and version["zip_size"] and len(version["zip_sha256"]) == 64

    response = api_client.get(version["download_url"])
    body = _body(response)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert int(response["Content-Length"]) == len(body) == version["zip_size"]
    assert hashlib.sha256(body).hexdigest() == version["zip_sha256"]
    with zipfile.ZipFile(io.BytesIO(body)) as zipped:
        assert zipped.read("train.csv") == TRAIN and zipped.read("notes.md") == NOTES
    counted = api_client.get(f"/api/v1/datasets/{user.username}/weather/").json()
    assert counted["versions"][0]["download_count"] == 1 and counted["downloads"] == 1


def test_a_small_zip_not_built_yet_is_built_on_the_first_download(published, api_client, user):
    response = api_client.get(f"/api/v1/datasets/{user.username}/weather/download/")
    body = _body(response)
    version = DatasetVersion.objects.get()
    assert version.zip_state == "ready" and hashlib.sha256(body).hexdigest() == version.zip_sha256


@override_settings(HUB_DATASET_ZIP_INLINE_BYTES=10)
def test_a_big_zip_not_built_yet_answers_503_with_retry_after(published, api_client, user):
    response = api_client.get(f"/api/v1/datasets/{user.username}/weather/download/?version=1")
    assert response.status_code == 503 and response["Retry-After"]
    assert "still being built" in response.json()["error"]


def test_publishing_over_the_api_gives_201_with_the_ref_and_version_1(auth_client, user):
    response = auth_client.post(
        "/api/v1/datasets/",
        {
            "slug": "birds",
            "title": "Birds",
            "licence": "CC0-1.0",
            "description": "# Birds\n<script>alert(1)</script>",
            "tags": "ornithology, counts",
            "files": [csv_file("train.csv", TRAIN), csv_file("notes.md", NOTES)],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ref"] == f"{user.username}/birds"
    assert [v["number"] for v in body["versions"]] == [1]
    assert sorted(f["name"] for f in body["versions"][0]["files"]) == ["notes.md", "train.csv"]
    assert body["tags"] == ["counts", "ornithology"]

    again = auth_client.post(
        "/api/v1/datasets/",
        {"slug": "birds", "title": "Birds", "licence": "CC0-1.0", "files": [csv_file("a.csv", b"a")]},
        format="multipart",
    )
    assert again.status_code == 409 and "already have a dataset" in again.json()["error"]


def test_a_new_version_over_the_api_adds_replaces_and_removes(published, auth_client, user):
    response = auth_client.post(
        f"/api/v1/datasets/{user.username}/weather/versions/",
        {"files": [csv_file("train.csv", TRAIN + b"4,1.0,dog\n")], "note": "more rows", "remove": "notes.md"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2 and [f["name"] for f in response.json()["files"]] == ["train.csv"]
    versions = auth_client.get(f"/api/v1/datasets/{user.username}/weather/").json()["versions"]
    assert [(v["number"], len(v["files"])) for v in versions] == [(2, 1), (1, 2)]


def test_only_the_owner_patches_or_versions_a_public_dataset(published, user, other_user):
    outsider = APIClient()
    outsider.force_authenticate(other_user)
    url = f"/api/v1/datasets/{user.username}/weather/"
    assert outsider.patch(url, {"title": "Mine now"}, format="json").status_code == 403
    refused = outsider.post(url + "versions/", {"files": [csv_file("x.csv", b"x")]}, format="multipart")
    assert refused.status_code == 403 and "owner" in refused.json()["error"]
    owner = APIClient()
    owner.force_authenticate(user)
    changed = owner.patch(
        url, {"title": "Weather 2", "tags": ["climate"], "licence": "ODbL-1.0"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["title"] == "Weather 2"
    assert changed.json()["tags"] == ["climate"] and changed.json()["licence"] == "ODbL-1.0"
    assert owner.patch(url, {"licence": "GPL"}, format="json").status_code == 400


def test_signed_out_publishing_is_a_401(api_client):
    response = api_client.post("/api/v1/datasets/", {"slug": "x"}, format="multipart")
    assert response.status_code == 401


@override_settings(HUB_DATASET_QUOTA_BYTES=60)
def test_the_quota_refuses_with_a_clear_message_and_stores_nothing(auth_client, user):
    response = auth_client.post(
        "/api/v1/datasets/",
        {
            "slug": "big",
            "title": "Big",
            "licence": "MIT",
            "files": [csv_file("a.csv", b"x" * 40), csv_file("b.csv", b"y" * 40)],
        },
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "quota_exceeded" and "quota" in response.json()["error"]
    assert not Dataset.objects.exists() and not Blob.objects.exists() and not stored_files()


@override_settings(HUB_DATASET_MAX_FILE_BYTES=1000)
def test_the_per_file_limit_refuses_while_streaming_and_stores_nothing(auth_client, user):
    response = auth_client.post(
        "/api/v1/datasets/",
        {
            "slug": "big",
            "title": "Big",
            "licence": "MIT",
            "files": [csv_file("small.csv", b"a"), csv_file("big.csv", b"x" * 5000)],
        },
        format="multipart",
    )
    assert response.status_code == 413, response.json()
    assert response.json()["code"] == "too_large" and "big.csv" in response.json()["error"]
    assert not Dataset.objects.exists() and not Blob.objects.exists() and not stored_files()


def test_a_storage_error_midway_leaves_no_bytes_behind(published, user, monkeypatch):
    from projects import dataset_services

    real_create = dataset_services.DatasetFile.objects.bulk_create

    def failing(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(dataset_services.DatasetFile.objects, "bulk_create", failing)
    before = stored_files()
    with pytest.raises(OSError):
        dataset_create(
            owner=user, slug="fails", title="F", licence_id="MIT", files=[csv_file("n.csv", b"new")]
        )
    monkeypatch.setattr(dataset_services.DatasetFile.objects, "bulk_create", real_create)
    assert stored_files() == before and not Dataset.objects.filter(slug="fails").exists()
