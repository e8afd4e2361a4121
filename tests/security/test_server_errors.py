"""A bug's 500 is the hub's own answer too: a styled page on the web, the error shape of each protocol's clients
elsewhere (the database outage's 503 is tested against a real outage in tests/faults/test_database_outage.py)."""

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from hub.server_errors import server_error


def _answer(path: str, error: Exception):
    request = RequestFactory().get(path)
    try:
        raise error
    except Exception:  # handler500 runs while Django handles the exception
        return server_error(request)


def test_a_bug_on_a_page_is_the_styled_500_page():
    response = _answer("/challenges/", RuntimeError("boom"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert 'class="site-nav"' in text  # extends base.html
    assert "boom" not in text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/challenges/", {"detail": None, "code": "server_error"}),
        ("/api/challenges/challenge/present/1/1", {"detail": None, "code": "server_error"}),
        ("/api/v1/competitions.CompetitionApiService/ListCompetitions", {"code": 500}),
    ],
)
def test_a_bug_in_an_api_or_compat_endpoint_is_json_in_its_clients_shape(path, body):
    response = _answer(path, RuntimeError("boom"))
    assert response.status_code == 500
    answer = json.loads(response.content)
    assert body.items() <= answer.items()
    assert "unexpected error" in (answer.get("error") or answer.get("message"))


def test_a_database_error_is_a_503_with_retry_after():
    response = _answer("/api/v1/challenges/", OperationalError("connection refused"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert json.loads(response.content)["code"] == "unavailable"
    assert "connection refused" not in response.content.decode()
