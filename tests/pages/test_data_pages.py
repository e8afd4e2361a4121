"""Data, evaluation, starter-kit, overview and dataset pages: what learners read before they submit."""

import re

import pytest

from projects.models import Challenge, DataFile, Dataset
from tests.factories import UserFactory
from tests.scored import scored

pytestmark = pytest.mark.django_db


def test_the_data_page_lists_every_file_with_size_and_checksum_and_previews_them(client, image_challenge):
    html = client.get(f"/challenges/{image_challenge.slug}/data/").content.decode()

    for data_file in DataFile.objects.filter(dataset=image_challenge.dataset):
        assert f"/challenges/{image_challenge.slug}/files/{data_file.name}" in html
        assert data_file.sha256 in html
    assert "Class balance" in html and "5 rows" in html  # train.csv: five rows, all labelled a
    assert html.count(f"/challenges/{image_challenge.slug}/files/images.zip/images/") == 5
    assert 'alt="Training image labelled a"' in html


def test_a_gallery_thumbnail_is_served_from_the_stored_preview_and_nothing_else(client, image_challenge):
    base = f"/challenges/{image_challenge.slug}/files"

    image = client.get(f"{base}/images.zip/images/0")

    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    for address in (
        f"{base}/images.zip/images/5",  # past the gallery
        f"{base}/train.csv/images/0",  # a file without images
        f"{base}/solution.csv/images/0",  # the hidden solution is no listed file
        f"{base}/..%2Fsolution.csv/images/0",
    ):
        assert client.get(address).status_code == 404, address


def test_a_thumbnail_is_only_ever_served_as_an_image(client, image_challenge):
    data_file = DataFile.objects.get(dataset=image_challenge.dataset, name="images.zip")
    data_file.preview["images"][0] |= {"mime": "text/html", "data": "PHNjcmlwdD4="}
    data_file.save(update_fields=["preview"])

    assert client.get(f"/challenges/{image_challenge.slug}/files/images.zip/images/0").status_code == 404


def test_an_unpublished_challenges_dataset_is_not_shown(client, image_challenge):
    Challenge.objects.filter(pk=image_challenge.pk).update(is_published=False)

    assert client.get("/datasets/baseline/pictures-data/").status_code == 404
    assert (
        client.get("/datasets/baseline/pictures-data/versions/1/files/images.zip/images/0").status_code == 404
    )
    assert client.get(f"/challenges/{image_challenge.slug}/files/images.zip/images/0").status_code == 404
    assert "pictures-data" not in client.get("/datasets/").content.decode()


def test_a_synthetic_dataset_is_labelled_as_such_wherever_it_shows(client, make_challenge):
    challenge = make_challenge(
        slug="faces", dataset={"slug": "fake-faces", "title": "Faces", "synthetic": True}
    )

    for address in (
        f"/challenges/{challenge.slug}/",
        f"/challenges/{challenge.slug}/data/",
        "/datasets/",
        "/",
    ):
        assert "Synthetic data" in client.get(address).content.decode(), address
    assert Dataset.objects.get(slug="fake-faces").is_synthetic


def test_the_evaluation_page_explains_metric_format_split_and_limits_with_the_sample(client, challenge):
    html = client.get(f"/challenges/{challenge.slug}/evaluation/").content.decode()

    assert "Accuracy" in html and "<code>id,label</code>" in html
    assert "scores 10 of the 20 test rows (50%)" in html
    assert "10 submissions a day" in html
    assert "sample_submission.csv" in html and "<td>1</td><td>a</td>" in html


def test_the_starter_kit_can_be_read_and_downloaded(client, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(starter_kit="print('hello')\n")

    page = client.get(f"/challenges/{challenge.slug}/starter-kit/").content.decode()
    download = client.get(f"/challenges/{challenge.slug}/starter-kit/download/")

    assert "print(&#x27;hello&#x27;)" in page and "python starter.py" in page
    assert download.content == b"print('hello')\n"
    assert download["Content-Disposition"] == 'attachment; filename="starter.py"'


def test_the_overview_charts_the_top_score_and_the_learners_own_scores(client, user, challenge):
    scored(challenge, UserFactory(), correct=12, minutes_ago=30)
    scored(challenge, user, correct=8, minutes_ago=20)
    scored(challenge, user, correct=16, minutes_ago=10)
    client.force_login(user)

    html = client.get(f"/challenges/{challenge.slug}/").content.decode()

    assert '<svg class="chart"' in html
    assert html.count('<g class="series top">') == 1 and html.count('<g class="series mine">') == 1
    assert len(re.findall(r"Your scores: ", html)) == 2 and len(re.findall(r"Top score: ", html)) == 2


def test_an_empty_board_says_so_instead_of_drawing_a_chart(client, challenge):
    html = client.get(f"/challenges/{challenge.slug}/").content.decode()

    assert '<svg class="chart"' not in html and "No scores yet" in html


def test_description_headings_sit_under_the_page_title(client, challenge):
    html = client.get(f"/challenges/{challenge.slug}/").content.decode()

    assert html.count("<h1") == 1  # the description's "# tiny" is dropped; its other headings shift down


@pytest.mark.parametrize(
    "visibility, published, cache",
    [
        ("public", True, "public"),
        ("unlisted", True, "private"),
        ("private", True, "private"),
        ("public", False, "private"),
    ],
)
def test_only_a_public_published_challenges_thumbnails_may_sit_in_shared_caches(
    client, image_challenge, visibility, published, cache
):
    Challenge.objects.filter(pk=image_challenge.pk).update(visibility=visibility, is_published=published)
    host = UserFactory()
    image_challenge.hosts.add(host)
    client.force_login(host)

    image = client.get(f"/challenges/{image_challenge.slug}/files/images.zip/images/0")

    assert image.status_code == 200
    assert image["Cache-Control"] == f"{cache}, max-age=86400"


@pytest.mark.parametrize("visibility, published", [("private", True), ("unlisted", True), ("public", False)])
def test_a_datasets_page_lists_only_the_challenges_listed_to_the_viewer(
    client, image_challenge, make_challenge, visibility, published
):
    """A second challenge on the same dataset that the viewer may not see listed is not named on its page."""
    other = make_challenge(
        slug="hidden-user", title="Quagga Hidden User", dataset={"slug": "pictures-data", "title": "Pictures"}
    )
    Challenge.objects.filter(pk=other.pk).update(visibility=visibility, is_published=published)
    for viewer in (None, UserFactory()):
        if viewer is not None:
            client.force_login(viewer)
        page = client.get("/datasets/baseline/pictures-data/")
        assert page.status_code == 200
        assert image_challenge.title in page.content.decode()
        assert "Quagga Hidden User" not in page.content.decode()
    other.hosts.add(viewer)
    assert "Quagga Hidden User" in client.get("/datasets/baseline/pictures-data/").content.decode()
