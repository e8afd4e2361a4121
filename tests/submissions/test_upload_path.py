"""An upload takes one path: the challenge is read once, and the one size check counts it while it streams in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Challenge
from submissions.models import Submission
from tests.bundles import predictions_csv
from tests.conftest import upload

pytestmark = pytest.mark.django_db

CHALLENGE_TABLE = Challenge._meta.db_table


def challenge_reads(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if query["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{CHALLENGE_TABLE}"' in query["sql"]
    ]


def test_an_api_upload_reads_its_challenge_once(auth_client, challenge):
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.post(
            f"/api/v1/challenges/{challenge.slug}/submissions/",
            {"file": upload(predictions_csv(20, correct=20))},
            format="multipart",
        )

    assert response.status_code == 201, response.json()
    assert len(challenge_reads(queries.captured_queries)) == 1, challenge_reads(queries.captured_queries)


@pytest.mark.parametrize("session", [False, True], ids=["token", "session with its CSRF check"])
def test_an_api_upload_over_the_limit_is_refused_in_the_one_wording(auth_client, user, challenge, session):
    Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=1000)
    if session:
        auth_client.credentials()
        auth_client.force_login(user)

    response = auth_client.post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"file": upload(predictions_csv(20, correct=1) * 40)},
        format="multipart",
    )

    assert response.status_code == 413
    assert response.json() == {
        "error": "The upload is too large: this challenge takes files of at most 1,000 bytes. "
        "Compress the CSV with gzip or zip, or check its contents.",
        "detail": None,
        "code": "too_large",
    }
    assert not Submission.objects.exists()


def test_the_web_form_names_the_files_size_in_the_same_wording(client, user, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=1000)
    client.force_login(user)

    response = client.post(
        f"/challenges/{challenge.slug}/submit/", {"file": upload(predictions_csv(20, correct=1) * 40)}
    )

    assert response.status_code == 413
    assert b"this challenge takes at most 1,000 bytes. Compress the CSV with gzip or zip" in response.content
    assert not Submission.objects.exists()
