"""Every endpoint and form answers bad input with a 4xx and a message saying what to change; never a 500."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from submissions.models import Submission
from tests.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(auth_client) -> APIClient:
    auth_client.raise_request_exception = False  # a server error must show as a 500, not as a test crash
    return auth_client


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/api/v1/challenges/?level=expert", 400, "use one of beginner, intermediate, advanced"),
        ("/api/v1/challenges/?status=finished", 400, "use one of upcoming, open, ended"),
        ("/api/v1/challenges/?page=abc", 400, "page: Must be a whole number from 1 to 1000000"),
        ("/api/v1/challenges/?page_size=ten", 400, "page_size: Must be a whole number from 1 to 1000"),
        ("/api/v1/challenges/?page=", 400, "page: Must be a whole number from 1 to 1000000"),
        ("/api/v1/challenges/?status=", 400, "use one of upcoming, open, ended"),
        ("/api/v1/challenges/?page=5", 404, "pages are numbered from 1"),
        ("/api/v1/challenges/{slug}/leaderboard/?split=", 400, "Use split=public or split=private"),
        ("/api/v1/challenges/nope/", 404, "no challenge 'nope'"),
        ("/api/v1/challenges/nope/files/", 404, "no challenge 'nope'"),
        ("/api/v1/challenges/nope/leaderboard/", 404, "no challenge 'nope'"),
        ("/api/v1/challenges/{slug}/leaderboard/?split=secret", 400, "Use split=public or split=private"),
        (
            "/api/v1/challenges/{slug}/leaderboard/?page=0",
            400,
            "page: Must be a whole number from 1 to 1000000",
        ),
        (
            "/api/v1/challenges/{slug}/leaderboard/?page=99999999999999999999",
            400,
            "page: Must be a whole number from 1 to 1000000",
        ),
        ("/api/v1/challenges/{slug}/leaderboard/?page=-1", 400, "page: Must be a whole number from 1"),
        ("/api/v1/challenges/{slug}/leaderboard/?page=two", 400, "page: Must be a whole number from 1"),
        ("/api/v1/challenges/{slug}/leaderboard/?split=private", 403, "hidden until the challenge ends"),
        ("/api/v1/challenges/{slug}/leaderboard/me/", 404, "no scored submission"),
        (
            "/api/v1/challenges/{slug}/submissions/?page=99999999999999999999",
            400,
            "page: Must be a whole number from 1 to 1000000",
        ),
        ("/api/v1/submissions/99999999999999999999/", 404, "You have no submission"),
    ],
)
def test_bad_query_and_path_values_get_a_4xx_that_names_the_problem(api, challenge, url, status, says):
    response = api.get(url.format(slug=challenge.slug))
    assert response.status_code == status, response.content
    assert says in response.json()["error"]


def test_malformed_json_is_a_400_naming_the_parse_error(api):
    response = api.post("/api/v1/auth/token/", data=b'{"username": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"].startswith("JSON parse error")


def test_wrong_types_are_a_400_naming_the_field(api):
    response = api.post("/api/v1/auth/token/", {"username": ["ada"], "password": 5}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "username: Not a valid string."


def test_a_huge_json_body_is_a_413_with_a_message(api):
    body = b'{"username": "' + b"a" * 2_000_000 + b'", "password": "x"}'
    response = api.post("/api/v1/auth/token/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "request body is too large" in response.json()["error"]


def test_a_json_upload_is_a_415_naming_the_media_type(api, challenge):
    response = api.post(f"/api/v1/challenges/{challenge.slug}/submissions/", {"file": "x"}, format="json")
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]


def test_text_in_place_of_a_file_is_a_400_naming_the_field(api, challenge):
    response = api.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/", {"file": "id,label"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("file: The submitted data was not a file")


def test_an_overlong_description_is_a_400_naming_the_field(api, challenge):
    response = api.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"file": upload(b"id,label\n1,a\n"), "description": "x" * 5000},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("description: Ensure this field has no more than 500")
    assert not Submission.objects.exists()


def test_too_many_files_in_one_request_is_a_400(api, challenge):
    files = {f"file{i}": upload(b"id,label\n1,a\n") for i in range(10)}
    response = api.post(f"/api/v1/challenges/{challenge.slug}/submissions/", files, format="multipart")
    assert response.status_code == 400
    assert "too many files" in response.json()["error"]


def test_an_upload_to_an_unknown_challenge_is_a_404_naming_it(api):
    response = api.post(
        "/api/v1/challenges/nope/submissions/", {"file": upload(b"id\n1\n")}, format="multipart"
    )
    assert response.status_code == 404
    assert "no challenge 'nope'" in response.json()["error"]


def test_the_web_submit_form_answers_an_empty_file_with_400_and_the_reason(client, user, challenge):
    client.force_login(user)
    response = client.post(f"/challenges/{challenge.slug}/submit/", {"file": upload(b"")})
    assert response.status_code == 400
    assert b"The file is empty" in response.content or b"The submitted file is empty" in response.content


def test_the_web_submit_form_answers_a_pdf_with_400_and_the_reason(client, user, challenge):
    client.force_login(user)
    response = client.post(f"/challenges/{challenge.slug}/submit/", {"file": upload(b"%PDF-1.4 ...")})
    assert response.status_code == 400
    assert b"The file is a PDF, not a CSV" in response.content


def test_sign_up_with_bad_input_is_a_400_listing_what_to_fix(client):
    response = client.post("/accounts/signup/", {"username": "a b<c>", "password1": "x", "password2": "y"})
    assert response.status_code == 400
    assert b"Enter a valid username" in response.content
    assert b"didn\xe2\x80\x99t match" in response.content or b"didn&#x27;t match" in response.content


def test_a_failed_sign_in_is_a_400_with_the_reason(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert response.status_code == 400
    assert b"enter a correct username and password" in response.content


def test_sign_up_never_redirects_to_another_site(client):
    response = client.post(
        "/accounts/signup/?next=https://evil.example/",
        {"username": "ada", "password1": "a-Long-passphrase-91", "password2": "a-Long-passphrase-91"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_passwords_are_checked_by_djangos_validators(client):
    for weak, reason in [
        ("short1", b"too short"),
        ("password123", b"too common"),
        ("8412937561", b"entirely numeric"),
        ("ada-lovelace", b"too similar"),
    ]:
        response = Client().post(
            "/accounts/signup/", {"username": "ada-lovelace", "password1": weak, "password2": weak}
        )
        assert response.status_code == 400, weak
        assert reason in response.content, weak
