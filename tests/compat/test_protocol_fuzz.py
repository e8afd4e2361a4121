"""Hypothesis fuzz of the EvalAI and Kaggle protocols, which /api/schema/ does not describe (schemathesis covers the
hub's own API): bodies and query strings, of the right shape and not, to every endpoint of both. None may answer
with a server error. Example counts are small so the module runs in seconds, in the normal test run."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compat.evalai_serializers import split_id
from compat.kaggle import METHODS
from submissions.models import LeaderboardEntry
from tests.scored import scored

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KAGGLE_FIELDS = [
    "competitionName",
    "fileName",
    "contentLength",
    "blobFileTokens",
    "submissionDescription",
    "ref",
    "token",
    "page",
    "pageSize",
    "pageToken",
    "group",
    "search",
]
EVALAI_QUERY = ["page", "page_size", "split", "format"]
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=2**62, max_value=2**70),
    st.integers(max_value=-(2**62)),
    st.floats(allow_nan=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=30))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
QUERY_TEXT = st.one_of(
    st.text(max_size=30), st.integers().map(str), st.integers(min_value=2**62, max_value=2**80).map(str)
)


@pytest.fixture
def board(challenge, learner, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "auth": "100000/minute"},
    }
    submission = scored(challenge, learner, correct=12)
    return challenge, submission


def _kaggle_bodies(slug: str):
    """Mostly objects with the SDK's field names (a real slug half the time), each field any JSON; then anything."""
    values = st.one_of(JSON_VALUES, NUMBERS, QUERY_TEXT)
    objects = st.fixed_dictionaries(
        {"competitionName": st.just(slug) | values},
        optional={**dict.fromkeys(KAGGLE_FIELDS[1:], values), "": values},
    ).map(json.dumps)
    return st.one_of(objects, JSON_VALUES.map(json.dumps), st.binary(max_size=50))


@pytest.mark.parametrize(("service", "method"), list(METHODS))
def test_kaggle_methods_answer_any_body_without_a_server_error(service, method, board, kaggle_client):
    challenge, _ = board
    kaggle_client.raise_request_exception = False

    @EXAMPLES
    @given(body=_kaggle_bodies(challenge.slug))
    def post(body):
        response = kaggle_client.post(f"/api/v1/{service}/{method}", body, content_type="application/json")
        assert response.status_code < 500, (body, response.content[:500])

    post()


EVALAI_PATHS = [
    "/api/challenges/challenge/{challenge}",
    "/api/challenges/challenge/{challenge}/challenge_phase",
    "/api/challenges/challenge/{challenge}/challenge_phase/{challenge}",
    "/api/challenges/{challenge}/challenge_phase_split",
    "/api/jobs/challenge/{challenge}/challenge_phase/{challenge}/submission/",
    "/api/jobs/submission/{submission}",
    "/api/jobs/challenge_phase_split/{split}/leaderboard/",
    "/api/challenges/challenge/present/1/1",
    "/api/challenges/challenge/all/1/1",
]


@pytest.mark.parametrize("path", EVALAI_PATHS)
def test_evalai_endpoints_answer_any_query_string_without_a_server_error(path, board, evalai_client):
    challenge, submission = board
    url = path.format(
        challenge=challenge.pk,
        submission=submission.pk,
        split=split_id(challenge, LeaderboardEntry.Split.PUBLIC),
    )
    evalai_client.raise_request_exception = False

    @EXAMPLES
    @given(query=st.dictionaries(st.sampled_from(EVALAI_QUERY) | st.text(max_size=8), QUERY_TEXT, max_size=4))
    def get(query):
        response = evalai_client.get(url, query)
        assert response.status_code < 500, (query, response.content[:500])

    get()


def test_evalai_submission_upload_answers_any_form_without_a_server_error(board, evalai_client):
    challenge, _ = board
    url = f"/api/jobs/challenge/{challenge.pk}/challenge_phase/{challenge.pk}/submission/"
    evalai_client.raise_request_exception = False
    fields = st.sampled_from(["input_file", "method_name", "method_description", "project_url"]) | st.text(
        min_size=1, max_size=8
    )

    @EXAMPLES
    @given(form=st.dictionaries(fields, st.text(max_size=600), max_size=4))
    def post(form):
        response = evalai_client.post(url, form, format="multipart")
        assert response.status_code < 500, (form, response.content[:500])

    post()
