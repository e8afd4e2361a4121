"""The dataset pages: the list with search and tags, a dataset with its versions, files and previews, the publish
and new-version forms, reporting, and the challenge Data tab's Download all."""

import pytest
from django.test import Client

from projects.dataset_finish import dataset_version_finish
from projects.dataset_services import dataset_version_create
from projects.models import DatasetReport

from .conftest import TRAIN, csv_file

pytestmark = pytest.mark.django_db


def test_the_list_searches_and_filters_by_tag(published, client, user):
    html = client.get("/datasets/").content.decode()
    assert "Weather" in html and f"{user.username}/weather" in html and "#tabular" in html
    assert "Weather" in client.get("/datasets/?q=weath&sort=downloads").content.decode()
    assert "No dataset matches" in client.get("/datasets/?q=zzz").content.decode()
    assert "Weather" not in client.get("/datasets/?tag=images").content.decode()


def test_a_dataset_page_shows_its_versions_files_previews_and_the_zip(published, client, user):
    dataset_version_finish(version_id=published.versions.get().pk)
    dataset_version_create(
        dataset=published, user=user, files=[csv_file("extra.csv", b"a,b\n1,2\n")], note="Extra"
    )
    html = client.get(f"/datasets/{user.username}/weather/").content.decode()
    assert "Extra" in html and "First version" in html  # both versions listed, newest shown
    assert f"/datasets/{user.username}/weather/versions/2/files/extra.csv" in html
    assert f"/datasets/{user.username}/weather/versions/2/download.zip" in html
    old = client.get(f"/datasets/{user.username}/weather/?version=1").content.decode()
    version = published.versions.get(number=1)
    assert version.zip_sha256 in old and "Class balance" in old and "3 rows" in old
    assert "Report this dataset" not in old  # not to its owner, and not signed out


def test_the_owner_sees_the_quota_and_the_forms(published, user):
    client = Client()
    client.force_login(user)
    page = client.get(f"/datasets/{user.username}/weather/").content.decode()
    assert "Publish a new version" in page and "quota" in page
    form = client.get("/datasets/new/").content.decode()
    assert 'name="files"' in form and "multiple" in form and "data-dataset-progress" in form
    version_form = client.get(f"/datasets/{user.username}/weather/new-version/").content.decode()
    assert 'value="notes.md"' in version_form and "Publish version 2" in version_form


def test_signed_out_visitors_are_sent_to_sign_in_to_publish(client):
    response = client.get("/datasets/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_any_signed_in_user_can_report_a_dataset_and_the_report_is_kept(published, user, other_user):
    client = Client()
    client.force_login(other_user)
    assert "Report this dataset" in client.get(f"/datasets/{user.username}/weather/").content.decode()
    response = client.post(
        f"/datasets/{user.username}/weather/report/", {"reason": "It copies someone's data."}
    )
    assert response.status_code == 302
    report = DatasetReport.objects.get()
    assert report.reporter == other_user and "copies" in report.reason
    refused = client.post(f"/datasets/{user.username}/weather/report/", {"reason": "no"})
    assert refused.status_code == 400 and "at least 5 characters" in refused.content.decode()


def test_the_data_card_is_sanitised(user, client):
    from projects.dataset_services import dataset_create

    dataset_create(
        owner=user,
        slug="xss",
        title="XSS",
        licence_id="MIT",
        description="# Card\n<script>alert(1)</script><img src=x onerror=alert(2)>",
        files=[csv_file("train.csv", TRAIN)],
    )
    html = client.get(f"/datasets/{user.username}/xss/").content.decode()
    assert "<script>alert(1)" not in html and "onerror" not in html


def test_the_challenge_data_tab_has_a_download_all_button(client, challenge):
    html = client.get(f"/challenges/{challenge.slug}/data/").content.decode()
    assert f"/challenges/{challenge.slug}/data.zip" in html and "Download all" in html
    assert "baseline/" in html and "version 1" in html
