"""A private dataset is 404 to anyone but its owner on every address: pages, API, files, zips, thumbnails."""

import base64
import io

import pytest
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from projects.dataset_finish import dataset_version_finish
from projects.dataset_services import dataset_create, dataset_update
from projects.models import Dataset

from .conftest import TRAIN, csv_file

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (8, 8), 128).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def private(user):
    dataset = dataset_create(
        owner=user,
        slug="secret",
        title="Secret",
        licence_id="MIT",
        visibility="private",
        files=[csv_file("train.csv", TRAIN)],
    )
    version = dataset.versions.get()
    dataset_version_finish(version_id=version.pk)
    # A thumbnail in the stored preview, as an image archive's preview holds them.
    blob = version.files.get().blob
    blob.preview = {
        "type": "archive",
        "images": [{"mime": "image/png", "data": base64.b64encode(_png()).decode()}],
    }
    blob.save(update_fields=["preview"])
    return dataset


def private_urls(owner: str) -> list[str]:
    base = f"/datasets/{owner}/secret"
    api = f"/api/v1/datasets/{owner}/secret"
    return [
        f"{base}/",
        f"{base}/?version=1",
        f"{base}/new-version/",
        f"{base}/report/",
        f"{base}/versions/1/files/train.csv",
        f"{base}/versions/1/files/train.csv/images/0",
        f"{base}/versions/1/download.zip",
        f"{api}/",
        f"{api}/versions/1/files/",
        f"{api}/download/",
        f"{api}/download/?version=1",
    ]


def test_the_owner_reaches_every_address_of_a_private_dataset(private, user):
    client = Client()
    client.force_login(user)
    for url in private_urls(user.username):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("signed_in", [False, True])
def test_everyone_else_gets_404_on_every_address(private, user, other_user, signed_in):
    client = Client()
    if signed_in:
        client.force_login(other_user)
    for url in private_urls(user.username):
        if not signed_in and url.endswith(("/new-version/", "/report/")):
            # Pages for the signed-in send anyone signed out to sign in first, whatever the address names.
            missing = url.replace("/secret/", "/no-such-dataset/")
            assert client.get(url).status_code == client.get(missing).status_code == 302, url
            continue
        assert client.get(url).status_code == 404, url
    api = APIClient()
    if signed_in:
        api.force_authenticate(other_user)
    patched = api.patch(f"/api/v1/datasets/{user.username}/secret/", {"title": "x"}, format="json")
    assert patched.status_code == (404 if signed_in else 401)
    refused = api.post(
        f"/api/v1/datasets/{user.username}/secret/versions/",
        {"files": [csv_file("x.csv", b"x")]},
        format="multipart",
    )
    assert refused.status_code == (404 if signed_in else 401)
    listed = api.get("/api/v1/datasets/").json()["results"]
    assert "secret" not in [row["slug"] for row in listed]
    assert b"Secret" not in Client().get("/datasets/").content


def test_a_hidden_dataset_is_404_to_all_but_its_owner(private, user, other_user):
    dataset_update(dataset=private, user=user, visibility="public")
    Dataset.objects.filter(pk=private.pk).update(is_hidden=True)
    outsider = Client()
    outsider.force_login(other_user)
    assert outsider.get(f"/datasets/{user.username}/secret/").status_code == 404
    owner = Client()
    owner.force_login(user)
    assert owner.get(f"/datasets/{user.username}/secret/").status_code == 200


KAGGLE = "/api/v1/datasets.DatasetApiService"


@pytest.mark.parametrize(
    "method, body",
    [
        ("GetDataset", {}),
        ("GetDatasetStatus", {}),
        ("GetDatasetMetadata", {}),
        ("ListDatasetFiles", {}),
        ("DownloadDataset", {}),
        ("DownloadDataset", {"fileName": "train.csv"}),
        ("CreateDatasetVersion", {"body": {"versionNotes": "mine", "files": []}}),
    ],
)
def test_the_kaggle_protocol_answers_404_for_someone_elses_private_dataset(
    private, user, other_user, method, body
):
    from rest_framework.authtoken.models import Token

    from tests.compat.conftest import basic

    client = APIClient()
    token = Token.objects.create(user=other_user).key
    client.credentials(HTTP_AUTHORIZATION=basic(other_user.username, token))
    request = {"ownerSlug": user.username, "datasetSlug": "secret", **body}
    response = client.post(f"{KAGGLE}/{method}", request, format="json")
    assert response.status_code == 404, response.content
    assert "There is no dataset" in response.json()["message"]
    listed = client.post(f"{KAGGLE}/ListDatasets", {"search": "secret"}, format="json").json()["datasets"]
    assert listed == []
