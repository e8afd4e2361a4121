"""EvalAI result links and Kaggle upload tickets: signed with this hub's own key, bound to the learner they were
given to, short-lived; and no ticket lets a PUT store more than the challenge takes."""

import time
import uuid

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from compat.evalai import RESULT_MAX_AGE, RESULT_SALT
from compat.services import UPLOAD_FOLDER, UPLOAD_MAX_AGE, UPLOAD_SALT
from projects.models import Challenge
from tests.compat.test_kaggle_api import create, put, start
from tests.factories import UserFactory
from tests.scored import scored

pytestmark = pytest.mark.django_db

# The development key that hub/settings/base.py published until the embedded hub made keys of its own.
PUBLISHED_KEY = "insecure-development-key-change-me-0123456789abcdefghijklmnop"


def signed(payload, *, salt: str, key: str | None = None, age: int = 0) -> str:
    """A token as signing.dumps makes it, with another key or made `age` seconds ago."""

    class Signer(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - age)

    return Signer(key=key, salt=salt).sign_object(payload, compress=True)


def result_link(submission, user) -> str:
    return reverse("evalai-result-file", args=[signed({"s": submission.pk, "u": user.pk}, salt=RESULT_SALT)])


def ticket(user, challenge, size: int, **options) -> str:
    payload = {"u": user.pk, "c": challenge.pk, "f": "preds.csv", "s": size, "n": uuid.uuid4().hex}
    return signed(payload, salt=UPLOAD_SALT, **options)


def bearer(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.get_or_create(user=user)[0].key}")
    return client


def stored_uploads() -> set[str]:
    try:
        return set(default_storage.listdir(UPLOAD_FOLDER)[1])
    except FileNotFoundError:
        return set()


def test_the_owners_result_link_opens_without_a_token_and_with_theirs(evalai_client, challenge, learner):
    submission = scored(challenge, learner, 14)
    url = evalai_client.get(f"/api/jobs/submission/{submission.pk}").json()["submission_result_file"]

    assert APIClient().get(url).status_code == 200
    assert evalai_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "link",
    [
        pytest.param(
            lambda s, u: f"/compat/evalai/results/{signing.dumps(s.pk, salt=RESULT_SALT, key=PUBLISHED_KEY)}",
            id="old-key-old-shape",
        ),
        pytest.param(
            lambda s, u: reverse(
                "evalai-result-file",
                args=[signed({"s": s.pk, "u": u.pk}, salt=RESULT_SALT, key=PUBLISHED_KEY)],
            ),
            id="old-key",
        ),
        pytest.param(
            lambda s, u: reverse(
                "evalai-result-file",
                args=[signed({"s": s.pk, "u": u.pk}, salt=RESULT_SALT, age=RESULT_MAX_AGE + 60)],
            ),
            id="expired",
        ),
        pytest.param(
            lambda s, u: reverse(
                "evalai-result-file", args=[signed({"s": s.pk, "u": u.pk}, salt=UPLOAD_SALT)]
            ),
            id="other-purpose",
        ),
    ],
)
def test_a_forged_expired_or_misused_result_link_is_refused(challenge, learner, link):
    submission = scored(challenge, learner, 14)

    response = APIClient().get(link(submission, learner))

    assert response.status_code == 404
    assert "invalid or has expired" in response.json()["error"]
    assert "scores" not in response.json()


def test_a_result_link_opens_nothing_for_another_learner(challenge, learner):
    submission = scored(challenge, learner, 14)
    intruder = UserFactory()

    # Ada's own link, fetched by someone signed in as another learner.
    theirs = bearer(intruder).get(result_link(submission, learner))
    # A link given to the other learner (validly signed) that names Ada's submission.
    misbound = APIClient().get(result_link(submission, intruder))

    for response in (theirs, misbound):
        assert response.status_code == 404, response.content
        assert "scores" not in response.json()


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda user, challenge: ticket(user, challenge, 10, key=PUBLISHED_KEY), id="old-key"),
        pytest.param(
            lambda user, challenge: ticket(user, challenge, 10, age=UPLOAD_MAX_AGE + 60), id="expired"
        ),
        pytest.param(
            lambda user, challenge: ticket(user, challenge, 10).replace(":", ":x", 1), id="tampered"
        ),
    ],
)
def test_a_forged_or_expired_upload_ticket_stores_nothing(learner, challenge, token):
    before = stored_uploads()
    response = put(reverse("kaggle-upload", args=[token(learner, challenge)]), b"x" * 10)

    assert response.status_code == 400
    assert ("not given out by this hub" in response.json()["message"]) or (
        "expired" in response.json()["message"]
    )
    assert stored_uploads() == before


def test_an_upload_ticket_works_for_its_own_learner_only(kaggle_client, learner, challenge):
    url = start(kaggle_client, challenge, 10).json()["createUrl"]
    intruder = bearer(UserFactory())

    before = stored_uploads()
    by_intruder = intruder.generic("PUT", url, b"x" * 10, content_type="application/octet-stream")
    # A ticket of a learner whose account was closed since.
    closed = UserFactory(is_active=False)
    for_closed = put(reverse("kaggle-upload", args=[ticket(closed, challenge, 10)]), b"x" * 10)

    assert by_intruder.status_code == 400 and "another user" in by_intruder.json()["message"]
    assert for_closed.status_code == 400 and "another user" in for_closed.json()["message"]
    assert stored_uploads() == before
    # The owner's own PUT, with or without their credentials, is taken.
    assert kaggle_client.generic("PUT", url, b"x" * 10, content_type="text/csv").status_code == 200


@pytest.mark.parametrize("when", ["ticket says more than the limit", "limit lowered after the start"])
def test_a_put_over_the_challenges_size_limit_is_refused_and_stores_nothing(
    kaggle_client, learner, challenge, when
):
    size = 5000
    if when == "limit lowered after the start":
        url = start(kaggle_client, challenge, size).json()["createUrl"]
        Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=1000)
    else:
        Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=1000)
        # What StartSubmissionUpload would never sign for this limit: as a forger holding the key would.
        url = reverse("kaggle-upload", args=[ticket(learner, challenge, size)])

    before = stored_uploads()
    response = put(url, b"x" * size)

    assert response.status_code == 413
    assert response.json()["message"].startswith(
        "The file is 4.9 KB; this challenge takes at most 1,000 bytes"
    )
    assert stored_uploads() == before
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert create(kaggle_client, challenge, token).status_code == 400
