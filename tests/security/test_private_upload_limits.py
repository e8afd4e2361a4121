"""A private challenge's own upload limit holds for those it admits, even where the body streams in before the view
knows its challenge (the web form's CSRF check, a session's API upload, a chunked body): the limit is read for the
viewer the request already has. An outsider still gets the hub's limit, so no answer tells them the challenge is
there."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client
from rest_framework.authtoken.models import Token

from hub.uploads import ChunkedBodyMiddleware, upload_limit_of_slug
from projects.models import Admission
from submissions.models import Submission
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BIG = b"id,label\n" + b"1,a\n" * 25_000  # 100 KB: over the hub's limit below, under the challenge's


@pytest.fixture
def classroom(make_challenge, settings):
    settings.HUB_MAX_UPLOAD_BYTES = 20_000
    challenge = make_challenge(slug="class", visibility="private", max_upload_mb=1)
    learner, outsider = UserFactory(), UserFactory()
    Admission.objects.create(challenge=challenge, user=learner, via=Admission.Via.INVITE)
    return challenge, learner, outsider


def _browser(user) -> Client:
    """A browser as it is: the CSRF check runs, so the body is parsed before the view, by the middleware."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/challenges/")  # sets the CSRF cookie
    return client


def _post(client: Client, path: str, content: bytes):
    token = client.cookies["csrftoken"].value
    return client.post(path, {"file": io.BytesIO(content), "csrfmiddlewaretoken": token})


def test_an_admitted_learners_web_upload_gets_the_private_challenges_own_limit(classroom):
    challenge, learner, _ = classroom
    response = _post(_browser(learner), "/challenges/class/submit/", BIG)
    assert response.status_code in (200, 302), response.content[:500]
    assert Submission.objects.get(challenge=challenge).size == len(BIG)


def test_an_admitted_learners_session_api_upload_gets_the_private_challenges_own_limit(classroom):
    challenge, learner, _ = classroom
    client = _browser(learner)
    response = _post(client, "/api/v1/challenges/class/submissions/", BIG)
    assert response.status_code == 201, response.content[:500]
    assert Submission.objects.get(challenge=challenge).size == len(BIG)


def test_an_outsider_is_answered_as_for_a_challenge_nobody_made(classroom):
    _, _, outsider = classroom
    client = _browser(outsider)
    private = _post(client, "/challenges/class/submit/", BIG)
    nobody = _post(client, "/challenges/no-such-class/submit/", BIG)
    assert private.status_code == nobody.status_code == 404
    assert not Submission.objects.exists()


def test_the_limit_of_a_slug_is_the_viewers(classroom):
    _, learner, outsider = classroom
    assert upload_limit_of_slug("class", viewer=learner) == 1024 * 1024
    assert upload_limit_of_slug("class", viewer=outsider) == 20_000
    assert upload_limit_of_slug("class") == 20_000
    assert upload_limit_of_slug("no-such-class", viewer=learner) == 20_000


def _chunked(rf, path: str, body: bytes, *, user=None, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    request = rf.post(path, data=b"", content_type="multipart/form-data; boundary=x", **headers)
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = io.BytesIO(body)
    request.user = user if user is not None else AnonymousUser()
    seen = {}

    def view(request):
        seen["length"] = int(request.META["CONTENT_LENGTH"])
        return HttpResponse("ok")

    return ChunkedBodyMiddleware(view)(request), seen


@pytest.mark.parametrize("by", ["session", "token"])
def test_a_chunked_body_for_an_admitted_learner_is_read_to_the_private_challenges_limit(rf, classroom, by):
    _, learner, outsider = classroom
    body = b"x" * 200_000
    if by == "session":
        response, seen = _chunked(rf, "/api/v1/challenges/class/submissions/", body, user=learner)
    else:
        token = Token.objects.create(user=learner).key
        response, seen = _chunked(rf, "/api/v1/challenges/class/submissions/", body, token=token)
    assert response.status_code == 200 and seen["length"] == len(body)
    refused, _ = _chunked(rf, "/api/v1/challenges/class/submissions/", body, user=outsider)
    nobody, _ = _chunked(rf, "/api/v1/challenges/no-such-class/submissions/", body, user=outsider)
    assert refused.status_code == nobody.status_code == 413
    assert refused.content == nobody.content
