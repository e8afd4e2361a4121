"""Uploads stream to storage, and the challenge's size limit is enforced before and while the body is read."""

import io

import httpx
import pytest
from django.db import transaction
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import Challenge
from submissions.api import ChallengeSubmissionsApi
from submissions.models import Submission
from submissions.services.locks import participant_lock
from tests.bundles import predictions_csv
from tests.conftest import upload

pytestmark = pytest.mark.django_db


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def post_without_reading(user, challenge, content_length: int):
    token = Token.objects.create(user=user)
    request = RequestFactory().generic(
        "POST",
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        content_type="multipart/form-data; boundary=xyz",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    request.META["CONTENT_LENGTH"] = str(content_length)
    request.META["wsgi.input"] = UnreadableBody()
    request._stream = UnreadableBody()
    response = ChallengeSubmissionsApi.as_view()(request, slug=challenge.slug)
    response.render()
    return response


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(user, challenge):
    response = post_without_reading(
        user, challenge, content_length=challenge.max_upload_bytes + 10 * 1024 * 1024
    )

    assert response.status_code == 413
    body = response.data
    assert body["code"] == "too_large"
    assert "this challenge takes files of at most 50.0 MB" in body["error"]
    assert "Compress the CSV" in body["error"]


def test_a_learner_at_the_daily_limit_is_refused_before_the_body_is_read(user, make_challenge):
    challenge = make_challenge(slug="once", daily_limit=1)
    with transaction.atomic():
        team = participant_lock(challenge=challenge, user=user)  # the learner's team of one, whose limit it is
    Submission.objects.create(
        uuid="00000000-0000-0000-0000-000000000001",
        challenge=challenge,
        user=user,
        participant=team,
        original_name="a.csv",
        size=1,
        sha256="0" * 64,
    )
    response = post_without_reading(user, challenge, content_length=1000)

    assert response.status_code == 429
    assert response.data["code"] == "daily_limit"


def test_a_file_over_the_limit_is_stopped_while_it_streams_and_nothing_is_stored(auth_client, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=1000)
    content = (
        predictions_csv(20, correct=1) * 40
    )  # about 3 KB: under the declared-length slack, over the limit

    response = auth_client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/", {"file": upload(content)}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["error"].startswith(
        "The upload is too large: this challenge takes files of at most"
    )
    assert not Submission.objects.exists()


def test_a_session_upload_is_counted_even_while_the_csrf_check_reads_it(user, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=1000)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    csrf = "a" * 32  # a well-formed CSRF secret, sent as cookie and header, as a browser page would
    client.cookies["csrftoken"] = csrf

    response = client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"file": upload(predictions_csv(20, correct=1) * 40)},
        format="multipart",
        HTTP_X_CSRFTOKEN=csrf,
    )

    assert response.status_code == 413
    # Stopped by the counting handler while parsing, not by the size check after the whole file was stored.
    assert response.json()["error"].startswith("The upload is too large")
    assert not Submission.objects.exists()


@pytest.mark.slow
def test_a_real_http_upload_over_the_limit_gets_a_413_json_answer(live_server, make_challenge, user):
    challenge = make_challenge(slug="small")
    Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=1024)
    token = Token.objects.create(user=user)

    response = httpx.post(
        f"{live_server.url}/api/v1/challenges/small/submissions/",
        files={"file": ("big.csv", b"id,label\n" + b"1,a\n" * 50_000)},
        headers={"Authorization": f"Token {token.key}"},
        timeout=30,
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Submission.objects.exists()
