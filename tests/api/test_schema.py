"""The OpenAPI schema matches the behaviour: schemathesis generates requests from the schema the live server
serves, sends them over HTTP, and checks every response (no 5xx, status documented, body and headers as the schema
says). Then Swagger UI at /api/docs/ renders the schema in a real browser, with no internet."""

import json
import os
import shutil
import subprocess

import httpx
import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    status_code_conformance,
)

from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.factories import UserFactory
from tests.faults.servers import free_port
from tests.processes import WebServer
from tests.schemathesis_config import CONFIG


def generated_schema() -> dict:
    # Built in-process at import, as schemathesis wants its schema when tests are collected; the test below checks
    # that the live server serves this same schema.
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(generated_schema(), config=CONFIG)


@pytest.fixture
def hub_with_a_board(make_challenge, settings):
    """A challenge, a learner with a token, a scored submission on the board; rate limits out of the way."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "auth": "100000/minute"},
    }
    challenge = make_challenge(slug="tiny")
    learner = UserFactory(username="ada")
    scored = submission_create(
        user=learner, challenge=challenge, file=upload(predictions_csv(20, correct=14))
    )
    submission_score(submission_id=scored.pk, delivery_id="schema-test")
    return learner


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SCHEMA_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_response_matches_the_schema(case, live_server, hub_with_a_board):
    # A fresh token for each request: some cases revoke or replace it.
    token = Token.objects.get_or_create(user=hub_with_a_board)[0]
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Token {token.key}"})


@pytest.mark.slow
def test_an_address_too_long_for_gunicorn_is_a_documented_414(transactional_db, tmp_path):
    """gunicorn answers a request line over 4094 bytes itself, with 414: the schema must document it."""
    web = WebServer(tmp_path, port=free_port(), workers=1).start()
    try:
        case = schema["/api/v1/challenges/"]["GET"].Case(query={"level": "beginner", "padding": "x" * 5000})
        response = case.call(base_url=web.url)
    finally:
        web.stop()
    assert response.status_code == 414
    case.validate_response(
        response, checks=[status_code_conformance, content_type_conformance, response_headers_conformance]
    )


def test_the_live_server_serves_the_schema_under_test(live_server):
    served = httpx.get(f"{live_server.url}/api/schema/", headers={"Accept": "application/json"}, timeout=30)
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(generated_schema()))


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's chromium (apt-get install chromium)"
)
def test_swagger_ui_renders_the_operations_in_a_browser_without_internet(live_server, tmp_path):
    result = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f"{live_server.url}/api/docs/",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = result.stdout
    assert "swagger-ui" in dom, result.stderr[-2000:]
    assert "Practice Hub API" in dom
    assert "/api/v1/challenges/{slug}/submissions/" in dom


def _schemas_with_a_blank_branch(node):
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and {"type": "string", "maxLength": 0} in branches:
            yield node
        for value in node.values():
            yield from _schemas_with_a_blank_branch(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas_with_a_blank_branch(value)


def test_a_blank_allowed_by_the_schema_matches_exactly_one_branch_of_its_one_of():
    # drf-spectacular writes an allow_blank field with a pattern as oneOf [pattern, blank]; a pattern that also
    # matched "" made a blank (`?owner=`) invalid by the schema although the API takes it as no filter.
    import jsonschema

    found = list(_schemas_with_a_blank_branch(generated_schema()))
    assert found, "no allow_blank field with a pattern left: this test checks nothing"
    for node in found:
        matching = [branch for branch in node["oneOf"] if jsonschema.Draft202012Validator(branch).is_valid("")]
        assert len(matching) == 1, node
