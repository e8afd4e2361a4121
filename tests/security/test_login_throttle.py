"""Sign-ins are throttled (django-axes) on the sign-in page and on the API token endpoint alike."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_the_sign_in_page_locks_an_account_out_after_repeated_failures_with_a_clear_429(client):
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
        assert response.status_code in (200, 400)

    locked = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content

    # Even the right password is refused until the cool-off ends.
    assert client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}).status_code == 429


def test_another_address_can_still_sign_in_to_a_locked_account(client):
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "ada", "password": "wrong"})

    other = Client(REMOTE_ADDR="203.0.113.9")
    response = other.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302


def test_the_token_endpoint_is_throttled_too():
    UserFactory(username="ada")
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/api/v1/auth/token/", {"username": "ada", "password": "wrong"}, format="json")
        assert response.status_code == 400

    locked = client.post("/api/v1/auth/token/", {"username": "ada", "password": "wrong"}, format="json")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.json()["error"]
    assert locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) == round(settings.AXES_COOLOFF_TIME * 3600)
    right = client.post("/api/v1/auth/token/", {"username": "ada", "password": PASSWORD}, format="json")
    assert right.status_code == 429


def test_a_successful_sign_in_resets_the_count(client):
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}).status_code == 302


def test_a_sign_in_made_on_the_server_without_a_request_is_not_throttled(client):
    UserFactory(username="ada")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert not client.login(username="ada", password="wrong")
    assert client.login(username="ada", password=PASSWORD)
