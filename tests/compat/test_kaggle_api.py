"""The Kaggle protocol through DRF's client: JSON POSTs, HTTP Basic or Bearer keys, {"code", "message"} errors."""

import io
import os
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from compat.services import UPLOAD_MAX_AGE, kaggle_upload_ticket
from projects.models import Challenge
from submissions.models import Submission
from tests.bundles import expected_scores, predictions_csv
from tests.compat.conftest import basic
from tests.factories import UserFactory
from tests.scored import scored

pytestmark = pytest.mark.django_db


def call(client: APIClient, method: str, service: str = "competitions.CompetitionApiService", **body):
    return client.post(f"/api/v1/{service}/{method}", body, format="json")


def start(client: APIClient, challenge, size: int, name: str = "preds.csv"):
    return call(
        client, "StartSubmissionUpload", competitionName=challenge.slug, fileName=name, contentLength=size
    )


def put(url: str, content: bytes):
    """The PUT of the raw bytes carries no credentials: the signed ticket in the URL is the key."""
    return APIClient().generic("PUT", url, content, content_type="application/octet-stream")


def uploaded(client: APIClient, challenge, content: bytes, name: str = "preds.csv") -> str:
    """The first two steps of the CLI's submit; returns the token CreateSubmission takes."""
    started = start(client, challenge, len(content), name)
    assert started.status_code == 200, started.json()
    assert put(started.json()["createUrl"], content).status_code == 200
    return started.json()["token"]


def create(client: APIClient, challenge, token: str, description: str = ""):
    return call(
        client,
        "CreateSubmission",
        competitionName=challenge.slug,
        blobFileTokens=token,
        submissionDescription=description,
    )


def upload(
    client: APIClient, challenge, content: bytes, name: str = "preds.csv", description: str = ""
) -> dict:
    """The CLI's three steps: start, PUT, create."""
    created = create(client, challenge, uploaded(client, challenge, content, name), description)
    assert created.status_code == 200, created.json()
    return created.json()


def test_the_key_of_kaggle_json_is_the_hubs_api_token(kaggle_client, learner, challenge):
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {learner.key}")

    for client in (kaggle_client, bearer):
        response = call(client, "ListCompetitions")
        assert response.status_code == 200
        assert [c["ref"] for c in response.json()["competitions"]] == [challenge.slug]


@pytest.mark.parametrize(
    ("authorization", "says"),
    [
        (lambda key: basic("ada", "wrong"), "The key in kaggle.json is not an API token of this hub"),
        (lambda key: basic("bob", key), "belongs to the hub user 'ada', not 'bob'"),
        (lambda key: "Bearer wrong", "KAGGLE_API_TOKEN is not an API token of this hub"),
        (lambda key: "Basic ???", "not base64"),
        (lambda key: "", "No key was sent. Put your hub username and API token in kaggle.json"),
    ],
    ids=["wrong key", "someone else's key", "wrong access token", "garbled", "none"],
)
def test_a_bad_key_is_a_400_whose_message_says_what_to_fix(learner, challenge, authorization, says):
    # 401 would make the CLI print its kaggle.com sign-in help instead of the message.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization(learner.key))

    response = call(client, "ListCompetitions")

    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert set(response.json()) == {"code", "message"}
    assert says in response.json()["message"]
    assert "Authorization: Token" not in response.json()["message"]  # the hub API's hint, not the CLI's


def test_the_competition_list_shows_slugs_learners_and_the_callers_rank(
    kaggle_client, learner, make_challenge
):
    first, second = make_challenge(slug="first"), make_challenge(slug="second")
    scored(first, learner, 12)
    scored(first, UserFactory(), 18)

    competitions = {c["ref"]: c for c in call(kaggle_client, "ListCompetitions").json()["competitions"]}
    entered = call(kaggle_client, "ListCompetitions", group="COMPETITION_LIST_TAB_ENTERED").json()[
        "competitions"
    ]
    searched = call(kaggle_client, "ListCompetitions", search="seco").json()["competitions"]

    assert (
        competitions["first"].items()
        >= {
            "title": first.title,
            "teamCount": 2,
            "userHasEntered": True,
            "userRank": 2,
            "maxDailySubmissions": 10,
            "evaluationMetric": "Accuracy",
        }.items()
    )
    assert competitions["first"]["url"].endswith("/challenges/first/")
    assert (competitions["second"]["teamCount"], competitions["second"]["userHasEntered"]) == (0, False)
    assert competitions["second"]["userRank"] is None
    assert [c["ref"] for c in entered] == ["first"]
    assert [c["ref"] for c in searched] == [second.slug]


def test_pages_follow_the_token_of_the_previous_answer(kaggle_client, make_challenge):
    for index in range(5):
        make_challenge(slug=f"c{index}")

    first = call(kaggle_client, "ListCompetitions", pageSize=3).json()
    second = call(kaggle_client, "ListCompetitions", pageSize=3, pageToken=first["nextPageToken"]).json()
    bad = call(kaggle_client, "ListCompetitions", pageToken="abc")

    assert len(first["competitions"]) == 3 and first["nextPageToken"] == "3"
    assert len(second["competitions"]) == 2 and second["nextPageToken"] == ""
    assert bad.status_code == 400 and "pageToken" in bad.json()["message"]


def test_files_are_listed_and_downloaded_by_redirect_to_a_url_named_after_them(kaggle_client, challenge):
    files = call(kaggle_client, "ListDataFiles", competitionName=challenge.slug).json()["files"]
    one = call(kaggle_client, "DownloadDataFile", competitionName=challenge.slug, fileName="test.csv")
    everything = call(kaggle_client, "DownloadDataFiles", competitionName=challenge.slug)
    missing = call(kaggle_client, "DownloadDataFile", competitionName=challenge.slug, fileName="nope.csv")

    assert [(f["name"], f["totalBytes"] > 0) for f in files] == [
        ("train.csv", True),
        ("test.csv", True),
        ("sample_submission.csv", True),
    ]
    assert one.status_code == 302 and one["Location"].endswith("/test.csv")
    assert everything.status_code == 302 and everything["Location"].endswith(".zip")
    assert missing.status_code == 404
    assert missing.json()["message"] == (
        f"{challenge.slug} has no file 'nope.csv'. Its files: train.csv, test.csv, sample_submission.csv."
    )


def test_the_zip_of_all_files_holds_each_file_unchanged(api_client, challenge):
    response = api_client.get(f"/challenges/{challenge.slug}/data.zip")

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert response["Content-Type"] == "application/zip"
    assert archive.namelist() == ["train.csv", "test.csv", "sample_submission.csv"]
    for data_file in challenge.dataset.files.all():
        with data_file.file.open("rb") as stored:
            assert archive.read(data_file.name) == stored.read()


def test_the_zip_is_the_same_bytes_each_time_so_it_revalidates_and_resumes(api_client, challenge):
    url = f"/challenges/{challenge.slug}/data.zip"
    first = api_client.get(url)
    whole = b"".join(first.streaming_content)

    unchanged = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    rest = api_client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=first["ETag"])

    assert unchanged.status_code == 304
    assert rest.status_code == 206
    assert b"".join(rest.streaming_content) == whole[100:]


def test_an_unknown_competition_is_a_404_naming_the_list_command(kaggle_client):
    response = call(kaggle_client, "ListDataFiles", competitionName="nope")

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "message": "There is no challenge 'nope'. `kaggle competitions list` shows each one's slug (ref).",
    }


def test_an_upload_becomes_a_submission_with_its_name_and_message(kaggle_client, learner, challenge):
    created = upload(
        kaggle_client, challenge, predictions_csv(20, correct=9), name="my preds.csv", description="v1"
    )

    submission = Submission.objects.get(pk=created["ref"])
    assert (submission.user, submission.original_name, submission.description) == (
        learner,
        "my preds.csv",
        "v1",
    )
    with submission.file.open("rb") as stored:
        assert stored.read() == predictions_csv(20, correct=9)
    assert challenge.slug in created["message"]


def test_an_upload_token_creates_one_submission_only(kaggle_client, challenge):
    token = uploaded(kaggle_client, challenge, predictions_csv(20, correct=9))

    first = create(kaggle_client, challenge, token)
    again = create(kaggle_client, challenge, token)

    assert first.status_code == 200
    assert again.status_code == 400 and "already submitted" in again.json()["message"]
    assert Submission.objects.count() == 1


def test_a_put_of_other_bytes_than_announced_or_with_a_forged_token_is_refused(kaggle_client, challenge):
    url = start(kaggle_client, challenge, 10).json()["createUrl"]

    short = put(url, b"12345")
    long = put(url, b"x" * 11)
    forged = put(url[:-4] + "abcd", b"x" * 10)

    assert short.status_code == 400
    assert short.json()["message"] == "The upload stopped after 5 of 10 bytes. Submit again."
    assert long.status_code == 413
    assert forged.status_code == 400 and "not given out by this hub" in forged.json()["message"]


def test_another_learner_cannot_submit_an_upload_token(kaggle_client, challenge):
    token = uploaded(kaggle_client, challenge, predictions_csv(20, correct=9))
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=UserFactory()).key}")

    response = create(other, challenge, token)

    assert response.status_code == 400 and "another user" in response.json()["message"]
    assert not Submission.objects.exists()


def test_the_limits_are_checked_before_any_byte_is_sent(kaggle_client, learner, make_challenge):
    challenge = make_challenge(daily_limit=1)
    scored(challenge, learner, 5)
    Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=100)

    over_limit = start(kaggle_client, challenge, 50)
    # The SDK leaves a zero length out of the request.
    empty = call(kaggle_client, "StartSubmissionUpload", competitionName=challenge.slug, fileName="p.csv")

    assert over_limit.status_code == 429
    assert over_limit.json()["message"].startswith("You have used your 1 submissions for today.")
    assert empty.status_code == 400 and empty.json()["message"].startswith("The file is empty.")


def test_a_file_over_the_challenges_size_limit_is_refused_at_the_start(kaggle_client, challenge):
    Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=100)

    response = start(kaggle_client, challenge, 101)

    assert response.status_code == 413 and "at most 100 bytes" in response.json()["message"]


def test_limits_count_todays_and_all_submissions(kaggle_client, learner, challenge):
    scored(challenge, learner, 5)
    scored(challenge, learner, 6, minutes_ago=60 * 30)

    limits = call(kaggle_client, "GetSubmissionLimits", competitionName=challenge.slug).json()

    assert limits == {"numToday": 1, "numTotal": 2, "numAllowedNow": 9, "limitedByTotal": False}


def test_submissions_show_status_and_public_score_only_while_private_is_hidden(
    kaggle_client, learner, challenge
):
    good = scored(challenge, learner, 14)
    other = scored(challenge, UserFactory(), 10)

    listed = call(kaggle_client, "ListSubmissions", competitionName=challenge.slug).json()["submissions"]
    one = call(kaggle_client, "GetSubmission", ref=good.pk).json()
    theirs = call(kaggle_client, "GetSubmission", ref=other.pk)

    assert [(s["ref"], s["status"]) for s in listed] == [(good.pk, "COMPLETE")]
    assert float(listed[0]["publicScore"]) == pytest.approx(expected_scores(20, correct=14)[0], abs=1e-5)
    assert listed[0].get("privateScore") is None
    assert one["ref"] == good.pk
    assert theirs.status_code == 404 and theirs.json()["message"] == f"You have no submission {other.pk}."


def test_the_leaderboard_is_shown_by_pages_and_downloaded_as_a_zipped_csv(kaggle_client, learner, challenge):
    scored(challenge, learner, 18)
    scored(challenge, UserFactory(username="bob"), 10)

    shown = call(kaggle_client, "GetLeaderboard", competitionName=challenge.slug, pageSize=1).json()
    downloaded = call(kaggle_client, "DownloadLeaderboard", competitionName=challenge.slug)

    assert [(row["teamName"], row["score"]) for row in shown["submissions"]] == [("ada", "0.90000")]
    assert shown["nextPageToken"] == "1"
    archive = zipfile.ZipFile(io.BytesIO(downloaded.content))
    assert archive.namelist() == [f"{challenge.slug}-publicleaderboard.csv"]
    lines = archive.read(archive.namelist()[0]).decode().splitlines()
    assert lines[0] == "Rank,TeamId,TeamName,LastSubmissionDate,Score,SubmissionCount"
    assert [line.split(",")[2:5:2] for line in lines[1:]] == [["ada", "0.90000"], ["bob", "0.50000"]]


def test_the_cli_may_check_an_access_token_without_other_credentials(learner):
    known = call(APIClient(), "IntrospectToken", "security.OAuthService", token=learner.key)

    assert known.json() == {"active": True, "username": "ada", "userId": learner.pk}
    assert call(APIClient(), "IntrospectToken", "security.OAuthService", token="nope").json() == {
        "active": False
    }


def test_a_method_the_hub_does_not_serve_is_a_404_listing_those_it_does(kaggle_client):
    response = call(kaggle_client, "CreateCompetition")

    assert response.status_code == 404
    assert "competitions.CompetitionApiService/CreateCompetition" in response.json()["message"]
    assert "ListCompetitions" in response.json()["message"]


def test_a_large_upload_is_streamed_past_djangos_in_memory_body_limit(kaggle_client, challenge, settings):
    content = predictions_csv(20, correct=9) + b"\n" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    created = upload(kaggle_client, challenge, content)

    assert Submission.objects.get(pk=created["ref"]).size == len(content)


def test_bytes_never_submitted_are_deleted_once_their_ticket_expires(kaggle_client, challenge):
    content = predictions_csv(20, correct=9)
    ticket = kaggle_upload_ticket(uploaded(kaggle_client, challenge, content))
    an_hour_ago = time.time() - UPLOAD_MAX_AGE - 1
    os.utime(default_storage.path(ticket.path), (an_hour_ago, an_hour_ago))

    upload(kaggle_client, challenge, content)

    assert not default_storage.exists(ticket.path)


def test_a_hub_that_requires_a_verified_address_refuses_the_kaggle_cli_of_an_unverified_learner(
    kaggle_client, learner, challenge, settings
):
    # Kaggle's CLI signs in with HTTP Basic, which the accounts middleware does not read: the submit rule must.
    settings.HUB_REQUIRE_VERIFIED_EMAIL = True
    learner.email = ""
    learner.save(update_fields=["email"])

    refused = start(kaggle_client, challenge, 10)

    assert refused.status_code == 400
    assert refused.json()["message"].startswith("Verify your e-mail address first")
    assert not Submission.objects.exists()

    learner.email = "ada@example.org"
    learner.save(update_fields=["email"])
    token = uploaded(kaggle_client, challenge, predictions_csv(20, correct=9))
    assert create(kaggle_client, challenge, token).status_code == 200
