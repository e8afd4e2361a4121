import hashlib

import pytest
from django.core.files.storage import default_storage

pytestmark = pytest.mark.django_db


def test_challenges_are_listed_and_filtered_by_level(api_client, make_challenge):
    make_challenge(slug="easy")
    make_challenge(slug="hard", level="advanced")

    everything = api_client.get("/api/v1/challenges/").json()
    advanced = api_client.get("/api/v1/challenges/", {"level": "advanced"}).json()

    assert {c["slug"] for c in everything["results"]} == {"easy", "hard"}
    assert [c["slug"] for c in advanced["results"]] == ["hard"]
    assert everything["results"][0]["metric"] == "accuracy"


def test_a_challenge_shows_its_details(api_client, challenge):
    body = api_client.get(f"/api/v1/challenges/{challenge.slug}/").json()
    assert body["title"] == "Tiny tiny"
    assert body["allowed_labels"] == ["a", "b", "c"]
    assert body["status"] == "open"
    assert "tiny" in body["description"]


def test_every_listed_file_downloads_with_its_checksum(api_client, challenge):
    files = api_client.get(f"/api/v1/challenges/{challenge.slug}/files/").json()["results"]
    assert [f["name"] for f in files] == ["train.csv", "test.csv", "sample_submission.csv"]
    for listed in files:
        response = api_client.get(listed["download_url"])
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        assert len(content) == listed["size"]
        assert hashlib.sha256(content).hexdigest() == listed["sha256"] == response["ETag"].strip('"')


def test_an_unlisted_file_name_is_not_found(api_client, challenge):
    response = api_client.get(f"/challenges/{challenge.slug}/files/solution.csv")
    assert response.status_code == 404


def test_the_solution_is_stored_outside_every_public_path(challenge):
    name = challenge.solution.file.name
    assert name.startswith("solutions/")
    assert default_storage.exists(name)
