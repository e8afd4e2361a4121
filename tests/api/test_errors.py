"""Every API error is JSON {"error", "detail", "code"} that says what to change; rate limits answer 429 with
Retry-After; lists filter and paginate."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_an_unknown_api_address_is_a_json_404_pointing_at_the_docs(api_client):
    response = api_client.post("/api/v1/challenge/")

    assert response.status_code == 404
    assert response.json() == {
        "error": "There is no API endpoint /api/v1/challenge/. The endpoints are listed at /api/docs/.",
        "detail": None,
        "code": "not_found",
    }


def test_an_unknown_level_names_the_levels_there_are(api_client, challenge):
    response = api_client.get("/api/v1/challenges/", {"level": "expert"})

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "level: 'expert' is not a level: use one of beginner, intermediate, advanced."
    assert body["code"] == "invalid_choice"
    assert "level" in body["detail"]


def test_challenges_filter_by_status(api_client, make_challenge):
    make_challenge(slug="practice")
    make_challenge(slug="later", start="2999-01-01T00:00:00Z")

    upcoming = api_client.get("/api/v1/challenges/", {"status": "upcoming"}).json()["results"]
    open_now = api_client.get("/api/v1/challenges/", {"status": "open"}).json()["results"]

    assert [c["slug"] for c in upcoming] == ["later"]
    assert [c["slug"] for c in open_now] == ["practice"]


def test_lists_paginate_and_a_page_past_the_end_says_so(api_client, make_challenge):
    for slug in ("one", "two", "three"):
        make_challenge(slug=slug)

    first = api_client.get("/api/v1/challenges/", {"page_size": 2}).json()
    beyond = api_client.get("/api/v1/challenges/", {"page_size": 2, "page": 9})

    assert (first["count"], len(first["results"])) == (3, 2)
    assert first["next"].endswith("page=2&page_size=2")
    assert beyond.status_code == 404
    assert beyond.json()["error"].startswith("There is no page 9")


def test_a_bad_leaderboard_split_says_which_splits_there_are(api_client, challenge):
    response = api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/", {"split": "secret"})
    assert response.status_code == 400
    assert response.json()["error"] == "split: Use split=public or split=private, not 'secret'."


def test_the_hidden_private_leaderboard_is_a_403_with_its_reason(api_client, challenge):
    response = api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/", {"split": "private"})
    assert response.status_code == 403
    assert response.json()["code"] == "private_hidden"


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.TokenOrBearerAuthentication"],
        "DEFAULT_PAGINATION_CLASS": "hub.pagination.PageNumberPagination",
        "PAGE_SIZE": 50,
        "EXCEPTION_HANDLER": "hub.api_errors.exception_handler",
        "DEFAULT_THROTTLE_CLASSES": ["hub.throttling.AnonRateThrottle", "hub.throttling.UserRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute", "auth": "2/minute"},
    }
)
def test_too_many_requests_are_refused_with_retry_after(api_client, auth_client):
    answers = [api_client.get("/api/v1/challenges/") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert f"wait {refused['Retry-After']} seconds" in refused.json()["error"]
    # A signed-in learner has a budget of their own.
    assert auth_client.get("/api/v1/challenges/").status_code == 200


def test_sign_in_attempts_have_a_tighter_limit(api_client, user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100/minute", "user": "100/minute", "auth": "2/minute"},
    }
    attempts = [
        api_client.post(
            "/api/v1/auth/token/", {"username": user.username, "password": "guess"}, format="json"
        )
        for _ in range(3)
    ]
    assert [a.status_code for a in attempts] == [400, 400, 429]
    assert "Retry-After" in attempts[-1]
