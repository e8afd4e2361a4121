"""Schemathesis generates requests from the OpenAPI schema, valid and not, against every API operation: none may
answer with a server error, and every answer passes all of schemathesis' checks. Each case runs twice: as
generated, and aimed at a real challenge and submission."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.schemathesis_config import CONFIG


@pytest.fixture(autouse=True)
def unthrottled(settings):
    """The fuzzer sends hundreds of requests a minute: rate limits would answer most of them with 429."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "auth": "100000/minute"},
    }


@pytest.fixture(autouse=True)
def keep_the_test_connection(db):
    # As Django's test client does: the request cycle must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def target(challenge, user):
    submission = submission_create(
        user=user, challenge=challenge, file=upload(predictions_csv(20, correct=9))
    )
    submission_score(submission_id=submission.pk, delivery_id="fuzz")
    return {
        "slug": challenge.slug,
        "submission_id": submission.pk,
        "token": Token.objects.create(user=user).key,
    }


# Loaded while tests are collected: the schema view reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_api_operation_answers_any_input_with_a_server_error(case, target):
    headers = {"Authorization": f"Token {target['token']}"}
    response = case.call(headers=headers)
    case.validate_response(response, headers=headers)

    if case.path_parameters:
        for name in ("slug", "submission_id"):
            if name in case.path_parameters:
                case.path_parameters[name] = target[name]
        response = case.call(headers=headers)
        case.validate_response(response, headers=headers)
