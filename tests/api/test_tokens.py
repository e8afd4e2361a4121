"""The token endpoint: get it with a password, show it, replace it, revoke it; Token and Bearer both accepted."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
TOKEN_URL = "/api/v1/auth/token/"


def test_a_password_gets_the_same_token_each_time_created_on_first_use(api_client, user):
    first = api_client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    second = api_client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["token"] == second.json()["token"] == Token.objects.get(user=user).key
    assert first.json()["username"] == user.username


def test_a_wrong_password_is_a_400_that_says_what_to_check(api_client, user):
    response = api_client.post(TOKEN_URL, {"username": user.username, "password": "nope"}, format="json")

    assert response.status_code == 400
    assert (
        response.json()["error"] == "The username or password is wrong. Check both; they are case-sensitive."
    )
    assert not Token.objects.exists()


def test_a_username_without_a_password_names_the_missing_field(api_client, user):
    response = api_client.post(TOKEN_URL, {"username": user.username}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "password: Send both username and password."


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_the_token_shows_itself_under_either_scheme(api_client, user, scheme):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token.key}")

    body = api_client.get(TOKEN_URL).json()

    assert body["token"] == token.key and body["username"] == user.username


def test_posting_while_signed_in_replaces_the_token(api_client, user):
    old = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")

    response = api_client.post(TOKEN_URL)

    assert response.status_code == 201
    assert response.json()["token"] != old.key
    assert api_client.get("/api/v1/me/").status_code == 401  # the old key no longer works
    assert Token.objects.get(user=user).key == response.json()["token"]


def test_revoking_the_token_makes_it_useless(api_client, user):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api_client.delete(TOKEN_URL).status_code == 204

    refused = api_client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    assert "/accounts/token/" in refused.json()["error"]


def test_showing_a_token_you_do_not_have_says_how_to_create_one(auth_client):
    response = auth_client.get(TOKEN_URL)
    assert response.status_code == 404
    assert "POST /api/v1/auth/token/" in response.json()["error"]


def test_without_credentials_the_token_endpoint_says_how_to_authenticate():
    client = APIClient()
    assert client.get(TOKEN_URL).status_code == 401
    assert client.delete(TOKEN_URL).status_code == 401
    response = client.post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert "username and password" in response.json()["error"]
