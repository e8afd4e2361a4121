"""The EvalAI protocol through DRF's client: the shapes the CLI reads and every refusal as {"error": ...}."""

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Challenge
from projects.services import challenge_reveal_private
from submissions.models import Submission
from submissions.services.scoring import submission_score
from tests.bundles import expected_scores, predictions_csv
from tests.factories import UserFactory
from tests.scored import scored

pytestmark = pytest.mark.django_db

EVALAI_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def with_fields(challenge: Challenge, **fields) -> Challenge:
    Challenge.objects.filter(pk=challenge.pk).update(**fields)
    challenge.refresh_from_db()
    return challenge


def submit(client, challenge, content: bytes, phase: int | None = None, **fields):
    phase = challenge.pk if phase is None else phase
    return client.post(
        f"/api/jobs/challenge/{challenge.pk}/challenge_phase/{phase}/submission/",
        {"input_file": SimpleUploadedFile("preds.csv", content), "status": "submitting", **fields},
        format="multipart",
    )


def test_the_challenge_list_has_every_field_the_cli_prints_with_dates_it_parses(evalai_client, challenge):
    body = evalai_client.get("/api/challenges/challenge/all/all/all").json()

    [row] = body["results"]
    assert (row["id"], row["title"], row["short_description"]) == (
        challenge.pk,
        challenge.title,
        challenge.summary,
    )
    assert row["creator"]["team_name"]
    assert row["published"] and row["approved_by_admin"]
    assert EVALAI_DATE.match(row["start_date"]) and EVALAI_DATE.match(row["end_date"])
    # A practice problem never ends: `evalai challenges ongoing` keeps it because its end is in the future.
    assert row["end_date"].startswith("9999-12-31")


def test_past_and_future_lists_hold_ended_and_upcoming_challenges(evalai_client, make_challenge):
    now = timezone.now()
    make_challenge(slug="open")
    with_fields(
        make_challenge(slug="ended"), start_at=now - dt.timedelta(days=9), end_at=now - dt.timedelta(days=1)
    )
    with_fields(make_challenge(slug="later"), start_at=now + dt.timedelta(days=1))
    with_fields(make_challenge(slug="hidden"), is_published=False)

    def slugs(time: str) -> list[str]:
        rows = evalai_client.get(f"/api/challenges/challenge/{time}/approved/public").json()["results"]
        return [row["slug"] for row in rows]

    assert sorted(slugs("all")) == ["ended", "later", "open"]
    assert slugs("past") == ["ended"]
    assert slugs("future") == ["later"]
    assert slugs("present") == ["open"]


def test_a_challenge_is_one_phase_numbered_like_it_with_a_public_and_a_private_split(
    evalai_client, challenge
):
    detail = evalai_client.get(f"/api/challenges/challenge/{challenge.pk}").json()
    phases = evalai_client.get(f"/api/challenges/challenge/{challenge.pk}/challenge_phase").json()["results"]
    phase = evalai_client.get(
        f"/api/challenges/challenge/{challenge.pk}/challenge_phase/{challenge.pk}"
    ).json()
    splits = evalai_client.get(f"/api/challenges/{challenge.pk}/challenge_phase_split").json()

    assert "A <em>tiny</em> test problem." in detail["description"]
    assert "id,label" in detail["submission_guidelines"]
    assert [p["id"] for p in phases] == [challenge.pk]
    assert phase["max_submissions_per_day"] == challenge.daily_limit
    assert phase["submission_meta_attributes"] == []
    # Visibility 3 is the only one the CLI lists: the private split stays hidden until it is revealed.
    assert [(s["id"], s["dataset_split_name"], s["visibility"]) for s in splits] == [
        (challenge.pk * 10 + 1, "Public", 3),
        (challenge.pk * 10 + 2, "Private", 1),
    ]


def test_an_unknown_or_unpublished_challenge_is_a_406_with_an_error(evalai_client, make_challenge):
    hidden = with_fields(make_challenge(slug="hidden"), is_published=False)

    for path in (f"/api/challenges/challenge/{hidden.pk}", "/api/challenges/challenge/999/challenge_phase"):
        response = evalai_client.get(path)
        assert response.status_code == 406
        assert "There is no challenge" in response.json()["error"]


def test_the_only_phase_of_a_challenge_is_its_own_number(evalai_client, challenge):
    response = submit(evalai_client, challenge, predictions_csv(20, correct=5), phase=challenge.pk + 1)

    assert response.status_code == 406
    assert f"phase {challenge.pk}" in response.json()["error"]
    assert not Submission.objects.exists()


def test_a_submission_is_stored_with_its_method_as_description(evalai_client, challenge, learner):
    response = submit(
        evalai_client,
        challenge,
        predictions_csv(20, correct=5),
        method_name="Logistic regression",
        method_description="scaled features",
        submission_metadata="[]",
        is_public="",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    submission = Submission.objects.get(pk=body["id"])
    assert (submission.user, submission.description) == (learner, "Logistic regression: scaled features")
    assert (body["status"], body["submission_result_file"]) == ("submitted", None)
    assert EVALAI_DATE.match(body["submitted_at"])


def test_upload_refusals_carry_the_hubs_sentence_in_error(evalai_client, make_challenge):
    challenge = make_challenge(daily_limit=1)
    missing = evalai_client.post(
        f"/api/jobs/challenge/{challenge.pk}/challenge_phase/{challenge.pk}/submission/",
        {},
        format="multipart",
    )
    empty = submit(evalai_client, challenge, b"")
    too_long = submit(evalai_client, challenge, b"id,label\n", method_name="m" * 501)
    first = submit(evalai_client, challenge, predictions_csv(20, correct=5))
    over_limit = submit(evalai_client, challenge, predictions_csv(20, correct=5))

    assert (missing.status_code, missing.json()["error"]) == (400, "input_file: No file was submitted.")
    assert (empty.status_code, empty.json()["error"]) == (
        400,
        "The file is empty. Upload a CSV with a header and one row per test id.",
    )
    assert too_long.status_code == 400 and "at most 500" in too_long.json()["error"]
    assert first.status_code == 201
    # The daily limit is the hub's 429; the CLI prints the error of a 403.
    assert over_limit.status_code == 403
    assert over_limit.json()["error"].startswith("You have used your 1 submissions for today.")
    assert Submission.objects.count() == 1


def test_a_token_the_hub_does_not_know_is_refused_with_where_to_get_one(challenge):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = client.get("/api/challenges/challenge/all/all/all")

    assert response.status_code == 401
    assert "evalai set_token" in response.json()["error"]
    assert "/accounts/token/" in response.json()["error"]
    assert "Authorization: Token" not in response.json()["error"]  # the hub API's hint, not the CLI's
    # `evalai challenges` prints only the status line, so the reason phrase carries the sentence too.
    assert "evalai set_token" in response.reason_phrase


def test_submissions_need_a_token(api_client, challenge):
    response = api_client.get(
        f"/api/jobs/challenge/{challenge.pk}/challenge_phase/{challenge.pk}/submission/"
    )

    assert response.status_code == 401
    assert response.json()["error"]


def test_a_learner_sees_only_their_own_submissions(evalai_client, challenge, learner):
    mine = scored(challenge, learner, 10)
    theirs = scored(challenge, UserFactory(), 12)

    listed = evalai_client.get(
        f"/api/jobs/challenge/{challenge.pk}/challenge_phase/{challenge.pk}/submission"
    ).json()
    other = evalai_client.get(f"/api/jobs/submission/{theirs.pk}")

    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert listed["results"][0]["status"] == "finished"
    assert listed["results"][0]["participant_team_name"] == learner.username
    assert (other.status_code, other.json()["error"]) == (406, f"You have no submission {theirs.pk}.")


def test_the_result_file_is_a_signed_link_that_needs_no_token(evalai_client, challenge, learner):
    submission = scored(challenge, learner, 14)

    url = evalai_client.get(f"/api/jobs/submission/{submission.pk}").json()["submission_result_file"]
    result = APIClient().get(url)
    forged = APIClient().get(url[:-3] + "abc")

    assert result.status_code == 200
    body = json.loads(result.content)
    assert body["scores"]["public"]["Accuracy"] == pytest.approx(expected_scores(20, correct=14)[0])
    assert "private" not in body["scores"]
    assert forged.status_code == 404 and "invalid" in forged.json()["error"]


def test_a_failed_submissions_result_says_why(evalai_client, challenge, learner):
    response = submit(evalai_client, challenge, b"id;label\n1;a\n")
    submission_score(submission_id=response.json()["id"], delivery_id="d1")
    url = evalai_client.get(f"/api/jobs/submission/{response.json()['id']}").json()["submission_result_file"]

    body = json.loads(APIClient().get(url).content)
    assert body["status"] == "failed"
    assert body["error"]


def test_the_leaderboard_lists_scores_in_the_order_of_its_labels(evalai_client, challenge, learner):
    scored(challenge, learner, 18)
    scored(challenge, UserFactory(username="bob"), 10)

    body = evalai_client.get(f"/api/jobs/challenge_phase_split/{challenge.pk * 10 + 1}/leaderboard/").json()

    assert [row["submission__participant_team__team_name"] for row in body["results"]] == ["ada", "bob"]
    assert body["results"][0]["leaderboard__schema"]["labels"] == ["Accuracy"]
    assert body["results"][0]["result"] == [pytest.approx(expected_scores(20, correct=18)[0])]
    assert all(EVALAI_DATE.match(row["submission__submitted_at"]) for row in body["results"])


def test_the_private_leaderboard_opens_when_the_host_reveals_it(evalai_client, challenge, learner):
    scored(challenge, learner, 18)
    private = f"/api/jobs/challenge_phase_split/{challenge.pk * 10 + 2}/leaderboard/"

    hidden = evalai_client.get(private)
    challenge_reveal_private(challenge=Challenge.objects.get(pk=challenge.pk))
    shown = evalai_client.get(private)

    assert hidden.status_code == 403
    assert f"leaderboard {challenge.pk * 10 + 1}" in hidden.json()["error"]
    assert shown.status_code == 200
    assert shown.json()["results"][0]["result"] == [pytest.approx(expected_scores(20, correct=18)[1])]


def test_an_unknown_phase_split_is_a_406(evalai_client, challenge):
    for split_id in (challenge.pk * 10 + 3, 999 * 10 + 1):
        response = evalai_client.get(f"/api/jobs/challenge_phase_split/{split_id}/leaderboard/")
        assert response.status_code == 406
        assert response.json()["error"]


def test_the_leaderboard_takes_a_fixed_number_of_queries(
    evalai_client, challenge, django_assert_max_num_queries
):
    for index in range(6):
        scored(challenge, UserFactory(), 8 + index)

    with django_assert_max_num_queries(5):
        response = evalai_client.get(f"/api/jobs/challenge_phase_split/{challenge.pk * 10 + 1}/leaderboard/")

    assert len(response.json()["results"]) == 6
