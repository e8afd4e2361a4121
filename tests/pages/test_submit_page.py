"""Submitting from the page: a plain form without JavaScript, an in-place upload with htmx; refusals say why."""

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import Challenge
from submissions.models import Submission
from tests.bundles import predictions_csv
from tests.conftest import upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_without_javascript_an_upload_lands_on_its_submission_page(learner_client, challenge):
    response = learner_client.post(
        f"/challenges/{challenge.slug}/submit/",
        {"file": upload(predictions_csv(20, correct=10)), "description": "first try"},
    )

    submission = Submission.objects.get()
    assert response.status_code == 302 and response.url == f"/submissions/{submission.pk}/"
    assert (submission.status, submission.description) == ("queued", "first try")


def test_with_htmx_the_form_comes_back_fresh_with_the_new_submission_polling_under_it(
    learner_client, challenge
):
    response = learner_client.post(
        f"/challenges/{challenge.slug}/submit/", {"file": upload(predictions_csv(20, correct=10))}, **HTMX
    )

    html = response.content.decode()
    submission = Submission.objects.get()
    assert response.status_code == 200 and html.startswith('<div id="submit-region"')
    assert f'hx-get="/submissions/{submission.pk}/status/?embedded=1"' in html
    assert "9 of 10" in html  # the count left today already includes it


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "htmx"])
def test_an_empty_file_is_refused_with_what_to_do_and_nothing_is_stored(learner_client, challenge, htmx):
    response = learner_client.post(
        f"/challenges/{challenge.slug}/submit/", {"file": upload(b"")}, **(HTMX if htmx else {})
    )

    assert response.status_code == 400
    assert (
        "The file is empty. Upload a CSV with a header and one row per test id." in response.content.decode()
    )
    assert not Submission.objects.exists()


def test_no_file_at_all_is_a_400_that_names_the_field(learner_client, challenge):
    response = learner_client.post(f"/challenges/{challenge.slug}/submit/", {})

    assert response.status_code == 400 and "Choose a file to upload" in response.content.decode()


def test_over_the_daily_limit_the_form_says_when_the_count_resets(learner_client, make_challenge):
    challenge = make_challenge(slug="strict", daily_limit=1)
    learner_client.post(
        f"/challenges/{challenge.slug}/submit/", {"file": upload(predictions_csv(20, correct=1))}
    )

    response = learner_client.post(
        f"/challenges/{challenge.slug}/submit/", {"file": upload(predictions_csv(20, correct=2))}, **HTMX
    )

    assert response.status_code == 429
    assert "resets at 00:00 UTC" in response.content.decode()
    assert Submission.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in_and_back(client, challenge):
    response = client.get(f"/challenges/{challenge.slug}/submit/")

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/challenges/{challenge.slug}/submit/"


def test_an_ended_challenge_says_so_and_refuses_uploads_with_a_403(learner_client, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(
        start_at=timezone.now() - dt.timedelta(days=10), end_at=timezone.now() - dt.timedelta(days=1)
    )

    page = learner_client.get(f"/challenges/{challenge.slug}/submit/").content.decode()
    refused = learner_client.post(
        f"/challenges/{challenge.slug}/submit/", {"file": upload(predictions_csv(20, correct=10))}
    )

    assert "This challenge has ended and takes no more submissions." in page
    assert refused.status_code == 403 and "it takes no more submissions" in refused.content.decode()
