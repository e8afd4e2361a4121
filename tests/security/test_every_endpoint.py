"""Every URL pattern the hub serves (its pages, the REST API, the EvalAI and the Kaggle protocols), walked from
Django's resolver, answers hostile paging values and deeply nested JSON with a 4xx, never a 5xx.

Paging values past 2**63 are the class that overflowed PostgreSQL's bigint ("bigint out of range", a 500) and
SQLite's integers; nested JSON the class that overflowed Python's recursion limit. New patterns are walked as they
are added: the test fails if one has no example path below.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from community.services.topics import topic_create
from compat.evalai_serializers import split_id
from projects.dataset_services import dataset_create
from projects.selectors import challenge_data_files
from submissions.models import LeaderboardEntry, Participant
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload

pytestmark = pytest.mark.django_db

HUGE = 10**20  # past 2**64
# As text in a query string: huge, past bigint, negative, zero, fractions, words, blank, non-ASCII digits.
QUERY_VALUES = [str(HUGE), str(2**63), "-1", "0", "1.5", "1e3", "abc", "", "١٢", "9" * 5000]
# As JSON values in a body.
JSON_VALUES = [HUGE, 2**63, -1, 0, 1.5, "abc", "", True, None, str(HUGE), [1], {"a": 1}]
PAGING_NAMES = ["page", "page_size", "pageSize", "pageToken", "offset", "limit"]
# Unnamed regex patterns: an example path each.
REGEX_EXAMPLES = {
    "kaggle-unknown-method": "/api/v1/competitions.CompetitionApiService/NoSuchMethod",
    None: "/api/no/such/endpoint/",
}


def nested(depth: int) -> bytes:
    return b'{"competitionName": ' + b"[" * depth + b"]" * depth + b"}"


NESTED_BODIES = [nested(100_000), nested(5_000), nested(200), b"[" * 50_000]


def every_pattern(patterns=None, prefix: str = ""):
    """(route, name) of every pattern but Django's admin, which is Django's own code and not served to learners."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            yield from every_pattern(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern), pattern.name


def example_paths(route: str, name: str | None, values: dict[str, list[str]]) -> list[str]:
    if route.startswith("^"):
        return [REGEX_EXAMPLES[name]]
    paths = ["/" + route]
    for converter, parameter in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        options = values[parameter] if converter != "int" else [*values[parameter], str(HUGE)]
        placeholder = f"<{converter}:{parameter}>" if converter else f"<{parameter}>"
        paths = [path.replace(placeholder, option) for path in paths for option in options]
    return paths


@pytest.fixture
def hub(challenge, user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "auth": "100000/minute"},
    }
    submission = submission_create(
        user=user, challenge=challenge, file=upload(predictions_csv(20, correct=9))
    )
    submission_score(submission_id=submission.pk, delivery_id="url-walk")
    data_file = challenge_data_files(challenge).first()
    topic = topic_create(author=user, challenge=challenge, title="Walked", body="A topic for the URL walk.")
    dataset = dataset_create(
        owner=user, slug="walked", title="Walked", licence_id="MIT", files=[upload(b"a,b\n1,2\n", "train.csv")]
    )
    values = {
        "topic_id": [str(topic.pk)],
        "post_id": [str(topic.posts.get().pk)],
        "uidb64": ["MQ", "not-base64"],
        "slug": [challenge.slug],
        "submission_id": [str(submission.pk)],
        "other_id": [str(submission.pk)],
        "username": [user.username, "baseline", "nobody"],
        "challenge_id": [str(challenge.pk)],
        "phase_id": [str(challenge.pk)],
        "phase_split_id": [str(split_id(challenge, LeaderboardEntry.Split.PUBLIC))],
        "index": ["0"],
        "name": [data_file.name if data_file else "train.csv"],
        "token": ["not-a-ticket"],
        "time": ["present"],
        "approved": ["1"],
        "public": ["1"],
        "user_id": [str(user.pk)],
        "request_id": ["1"],
        "team_id": [str(Participant.objects.get(challenge=challenge, user=user).pk)],
        # Team invite codes and the challenge's own (the two kinds of join link share the name)
        "code": [
            Participant.objects.get(challenge=challenge, user=user).invite_code,
            challenge.invite_code,
            "not-a-code",
        ],
        "owner": [user.username, "no-such-user"],
        "dataset_slug": [dataset.slug],
        "number": ["1"],
    }
    return values, user


def _client(user) -> Client:
    client = Client(raise_request_exception=False)  # a server error must show as a 500, not as a test crash
    client.force_login(user)
    return client


def _headers(user) -> dict[str, str]:
    # Bearer is taken by the hub's API, EvalAI and Kaggle alike; some requests replace or revoke the token.
    return {"HTTP_AUTHORIZATION": f"Bearer {Token.objects.get_or_create(user=user)[0].key}"}


def test_every_pattern_has_an_example_path(hub):
    values, _ = hub
    for route, name in every_pattern():
        assert example_paths(route, name, values), route


def test_no_endpoint_answers_hostile_paging_values_with_a_server_error(hub):
    values, user = hub
    failures = []
    for route, name in every_pattern():
        for path in example_paths(route, name, values):
            client = _client(user)
            for value in QUERY_VALUES:
                query = "&".join(f"{parameter}={value}" for parameter in PAGING_NAMES)
                response = client.get(f"{path}?{query}", **_headers(user))
                if response.status_code >= 500:
                    failures.append(f"GET {path}?{query[:80]} -> {response.status_code}")
            for value in JSON_VALUES:
                body = {"competitionName": values["slug"][0], **dict.fromkeys(PAGING_NAMES, value)}
                for method in (client.post, client.put):
                    response = method(
                        path, json.dumps(body), content_type="application/json", **_headers(user)
                    )
                    if response.status_code >= 500:
                        failures.append(
                            f"{method.__name__.upper()} {path} {value!r} -> {response.status_code}"
                        )
    assert not failures, "\n".join(failures)


def test_no_endpoint_answers_deeply_nested_json_with_a_server_error(hub):
    values, user = hub
    failures = []
    for route, name in every_pattern():
        for path in example_paths(route, name, values):
            client = _client(user)
            for body in NESTED_BODIES:
                for method in (client.post, client.put, client.patch):
                    response = method(path, body, content_type="application/json", **_headers(user))
                    if response.status_code >= 500:
                        failures.append(
                            f"{method.__name__.upper()} {path} ({len(body)} bytes) -> {response.status_code}"
                        )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/auth/token/", "/api/v1/competitions.CompetitionApiService/ListCompetitions"],
)
def test_deeply_nested_json_is_a_400_naming_the_depth_limit(hub, path):
    _, user = hub
    response = _client(user).post(path, nested(100_000), content_type="application/json", **_headers(user))
    assert response.status_code == 400
    body = response.json()
    assert "more than 32 levels deep" in (body.get("error") or body.get("message"))


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        (
            "/api/v1/competitions.CompetitionApiService/ListCompetitions",
            {"pageToken": str(HUGE)},
            "pageToken: Must be a whole number from 0 to 1000000000",
        ),
        (
            "/api/v1/competitions.CompetitionApiService/ListCompetitions",
            {"page": HUGE},
            "page: Must be a whole number from 1 to 1000000",
        ),
        (
            "/api/v1/competitions.CompetitionApiService/ListCompetitions",
            {"pageSize": HUGE},
            "pageSize: Must be a whole number from 1 to 1000",
        ),
    ],
)
def test_kaggle_paging_out_of_range_is_a_400_naming_the_range(hub, path, body, says):
    _, user = hub
    response = _client(user).post(path, json.dumps(body), content_type="application/json", **_headers(user))
    assert response.status_code == 400
    assert says in response.json()["message"]


def test_evalai_paging_out_of_range_is_a_400_naming_the_range(hub):
    values, user = hub
    path = f"/api/jobs/challenge_phase_split/{values['phase_split_id'][0]}/leaderboard/"
    response = _client(user).get(f"{path}?page={HUGE}", **_headers(user))
    assert response.status_code == 400
    assert "page: Must be a whole number from 1 to 1000000" in response.json()["error"]
