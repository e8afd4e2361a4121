import pytest
from django.core.files.storage import default_storage

from submissions.models import Submission
from submissions.services.scoring import submission_score
from tests.bundles import expected_scores, predictions_csv
from tests.conftest import upload

pytestmark = pytest.mark.django_db


def submit(client, slug: str, content: bytes, name: str = "predictions.csv", **data):
    return client.post(
        f"/api/v1/challenges/{slug}/submissions/", {"file": upload(content, name), **data}, format="multipart"
    )


def test_submitting_requires_authentication(api_client, challenge):
    response = submit(api_client, challenge.slug, predictions_csv(20, correct=20))
    assert response.status_code == 401
    assert "credentials" in response.json()["error"].lower()
    assert not Submission.objects.exists()


def test_an_upload_is_stored_under_the_servers_name_and_queued(auth_client, challenge, user):
    response = submit(
        auth_client,
        challenge.slug,
        predictions_csv(20, correct=20),
        name="../../etc/passwd.csv",
        description="first try",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "queued"
    submission = Submission.objects.get(pk=body["id"])
    assert submission.user == user
    assert submission.original_name == "passwd.csv"
    assert submission.file.name == f"submissions/{challenge.pk}/{submission.uuid}.csv"
    assert default_storage.exists(submission.file.name)
    assert body["description"] == "first try"
    assert len(body["sha256"]) == 64


def test_status_goes_from_queued_through_running_to_scored(auth_client, challenge):
    submission_id = submit(auth_client, challenge.slug, predictions_csv(20, correct=15)).json()["id"]
    assert auth_client.get(f"/api/v1/submissions/{submission_id}/").json()["status"] == "queued"

    submission_score(submission_id=submission_id, delivery_id="delivery-1")

    body = auth_client.get(f"/api/v1/submissions/{submission_id}/").json()
    public, _private = expected_scores(20, correct=15)
    assert body["status"] == "scored"
    assert body["public_score"] == pytest.approx(public)
    assert body["private_score"] is None  # hidden until the challenge ends or the host reveals it
    assert body["started_at"] and body["finished_at"]
    assert body["error"] == ""


def test_a_second_delivery_of_a_scored_submission_changes_nothing(auth_client, challenge):
    submission_id = submit(auth_client, challenge.slug, predictions_csv(20, correct=15)).json()["id"]
    submission_score(submission_id=submission_id, delivery_id="delivery-1")
    finished_at = Submission.objects.get(pk=submission_id).finished_at

    submission_score(submission_id=submission_id, delivery_id="delivery-2")

    submission = Submission.objects.get(pk=submission_id)
    assert (submission.finished_at, submission.attempts, submission.task_id) == (finished_at, 1, "delivery-1")


def test_a_file_with_missing_ids_fails_with_a_message_naming_them(auth_client, challenge):
    content = b"id,label\n" + b"".join(f"{i},a\n".encode() for i in range(1, 16))  # ids 16..20 missing
    submission_id = submit(auth_client, challenge.slug, content).json()["id"]

    submission_score(submission_id=submission_id, delivery_id="delivery-1")

    body = auth_client.get(f"/api/v1/submissions/{submission_id}/").json()
    assert body["status"] == "failed"
    assert "Missing 5 of 20 ids" in body["error"]
    assert "16" in body["error"]
    assert body["public_score"] is None


def test_the_private_score_shows_once_the_host_reveals_it(auth_client, challenge):
    submission_id = submit(auth_client, challenge.slug, predictions_csv(20, correct=15)).json()["id"]
    submission_score(submission_id=submission_id, delivery_id="delivery-1")
    challenge.private_revealed = True
    challenge.save()

    body = auth_client.get(f"/api/v1/submissions/{submission_id}/").json()

    assert body["private_score"] == pytest.approx(expected_scores(20, correct=15)[1])


def test_a_learner_cannot_see_another_learners_submission(auth_client, challenge, other_user, api_client):
    submission_id = submit(auth_client, challenge.slug, predictions_csv(20, correct=15)).json()["id"]
    api_client.force_authenticate(other_user)

    response = api_client.get(f"/api/v1/submissions/{submission_id}/")

    assert response.status_code == 404
    assert response.json()["error"] == f"You have no submission {submission_id}."


def test_my_submissions_lists_only_mine(auth_client, challenge, other_user, api_client):
    submit(auth_client, challenge.slug, predictions_csv(20, correct=15))
    api_client.force_authenticate(other_user)
    submit(api_client, challenge.slug, predictions_csv(20, correct=10))

    body = auth_client.get(f"/api/v1/challenges/{challenge.slug}/submissions/").json()

    assert body["count"] == 1
    assert body["results"][0]["challenge"] == challenge.slug


def test_an_empty_upload_is_refused_with_a_clear_message(auth_client, challenge):
    response = submit(auth_client, challenge.slug, b"")
    assert response.status_code == 400
    assert "empty" in response.json()["error"]
    assert not Submission.objects.exists()


def test_a_missing_file_field_is_named(auth_client, challenge):
    response = auth_client.post(f"/api/v1/challenges/{challenge.slug}/submissions/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"].startswith("file:")


def test_the_daily_limit_refuses_the_next_upload_and_failed_ones_do_not_count(auth_client, make_challenge):
    challenge = make_challenge(daily_limit=2)
    first = submit(auth_client, challenge.slug, b"not,a,valid\nfile,at,all\n").json()["id"]
    submission_score(submission_id=first, delivery_id="d1")  # fails: does not count
    assert submit(auth_client, challenge.slug, predictions_csv(20, correct=1)).status_code == 201
    assert submit(auth_client, challenge.slug, predictions_csv(20, correct=2)).status_code == 201

    response = submit(auth_client, challenge.slug, predictions_csv(20, correct=3))

    assert response.status_code == 429
    assert "resets at 00:00 UTC" in response.json()["error"]
    limits = auth_client.get(f"/api/v1/challenges/{challenge.slug}/limits/").json()
    assert (limits["used_today"], limits["remaining_today"]) == (2, 0)


def test_an_unknown_challenge_is_a_json_404(auth_client):
    response = submit(auth_client, "no-such-thing", b"id,label\n1,a\n")
    assert response.status_code == 404
    assert "no challenge 'no-such-thing'" in response.json()["error"]
