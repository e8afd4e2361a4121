"""Notifications: my submission scored or failed, a reply to my topic, an announcement, the private board revealed;
the bell's unread count, the list and mark read (pages and API); e-mail per kind with a signed unsubscribe link."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import OutgoingMail
from community.models import EmailPreference, Notification
from projects.services import challenge_reveal_private
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.community.conftest import client_for
from tests.conftest import upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scored_submission(user, challenge, content=None, capture=None):
    submission = submission_create(
        user=user, challenge=challenge, file=upload(content or predictions_csv(20, correct=14))
    )
    with capture(execute=True):
        submission_score(submission_id=submission.pk, delivery_id=f"test-{submission.pk}")
    return submission


def test_a_scored_and_a_failed_submission_notify_their_author_without_email_by_default(
    user, challenge, django_capture_on_commit_callbacks
):
    user.email = "ada@example.org"
    user.save()
    good = scored_submission(user, challenge, capture=django_capture_on_commit_callbacks)
    bad = scored_submission(user, challenge, b"id;label\n1;a\n", capture=django_capture_on_commit_callbacks)
    kinds = dict(Notification.objects.filter(user=user).values_list("kind", "text"))
    assert set(kinds) == {"scored", "failed"}
    good.refresh_from_db()
    bad.refresh_from_db()
    assert f"{good.public_score:.5f}" in kinds["scored"]
    assert bad.error and bad.error in kinds["failed"]
    assert not OutgoingMail.objects.exists(), "scored and failed are off by default"


def test_a_reply_notifies_the_topic_author_and_emails_them_by_default(
    user, other_user, challenge, start_topic, django_capture_on_commit_callbacks
):
    user.email = "ada@example.org"
    user.save()
    topic = start_topic(user, challenge, title="Help")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(user).post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "bump"}, format="json")
        client_for(other_user).post(
            f"/api/v1/topics/{topic['id']}/posts/", {"body": "Try this."}, format="json"
        )
    note = Notification.objects.get()
    assert note.user == user and note.kind == "reply" and other_user.username in note.text
    mail = OutgoingMail.objects.get()
    assert mail.to == "ada@example.org" and "Help" in mail.subject
    assert mail.headers["List-Unsubscribe"].startswith("<http")

    bell = signed_in(user).get("/challenges/").content.decode()
    assert re.search(r'id="bell-count">1<', bell)
    listed = client_for(user).get("/api/v1/notifications/").json()["results"]
    assert [(n["kind"], n["unread"]) for n in listed] == [("reply", True)]
    assert listed[0]["url"].startswith("http") and "#post-" in listed[0]["url"]
    read = client_for(user).post("/api/v1/notifications/read/", {"ids": [listed[0]["id"]]}, format="json")
    assert read.json() == {"marked": 1, "unread": 0}
    assert 'id="bell-count"' not in signed_in(user).get("/challenges/").content.decode()


def test_an_announcement_is_pinned_and_notifies_every_participant(
    user, other_user, host, challenge, django_capture_on_commit_callbacks
):
    outsider = UserFactory(email="out@example.org")
    user.email = "ada@example.org"
    user.save()
    scored_submission(user, challenge, capture=django_capture_on_commit_callbacks)
    client_for(other_user).post(
        f"/api/v1/challenges/{challenge.slug}/topics/", {"title": "q", "body": "b"}, format="json"
    )
    refused = client_for(user).post(
        f"/api/v1/challenges/{challenge.slug}/topics/",
        {"title": "t", "body": "b", "announcement": True},
        format="json",
    )
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        made = client_for(host).post(
            f"/api/v1/challenges/{challenge.slug}/topics/",
            {"title": "Deadline moved", "body": "One more week.", "announcement": True},
            format="json",
        )
    assert made.json()["is_pinned"] is True and made.json()["is_announcement"] is True
    notified = set(Notification.objects.filter(kind="announcement").values_list("user__username", flat=True))
    assert notified == {user.username, other_user.username}
    assert outsider.username not in notified
    mailed = set(OutgoingMail.objects.filter(kind="notification:announcement").values_list("to", flat=True))
    assert mailed == {"ada@example.org", other_user.email}, "announcements are e-mailed by default"


def test_revealing_the_private_board_notifies_participants_once(
    user, challenge, django_capture_on_commit_callbacks
):
    scored_submission(user, challenge, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        challenge_reveal_private(challenge=challenge)
        challenge_reveal_private(challenge=challenge)
    assert Notification.objects.filter(kind="private_revealed", user=user).count() == 1


def test_email_choices_on_the_settings_page_and_the_one_click_unsubscribe(
    user, other_user, challenge, start_topic, django_capture_on_commit_callbacks
):
    user.email = "ada@example.org"
    user.save()
    page = signed_in(user).get("/notifications/settings/").content.decode()
    assert 'name="reply" checked' in page and 'name="announcement" checked' in page
    assert 'name="scored" checked' not in page
    signed_in(user).post("/notifications/settings/", {"reply": "on", "scored": "on"})
    assert dict(EmailPreference.objects.filter(user=user).values_list("kind", "send_email")) == {
        "scored": True, "failed": False, "reply": True, "announcement": False, "private_revealed": False,
    }  # fmt: skip

    topic = start_topic(user, challenge)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(other_user).post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "hi"}, format="json")
    link = re.search(r"one click: (\S+)", OutgoingMail.objects.get().body).group(1)
    path = urlsplit(link).path
    assert Client().get(path[:-5] + "xxxx/").status_code == 400
    done = Client().get(path)
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    assert EmailPreference.objects.get(user=user, kind="reply").send_email is False
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200, "RFC 8058 one-click POST"

    with django_capture_on_commit_callbacks(execute=True):
        client_for(other_user).post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "again"}, format="json")
    assert OutgoingMail.objects.count() == 1, "no more e-mail of that kind"
    assert Notification.objects.filter(user=user, kind="reply").count() == 2, "the bell still shows it"


def test_the_notification_pages_and_api_are_for_their_owner_only(user, other_user):
    note = Notification.objects.create(user=user, kind="reply", text="x", url="/challenges/")
    assert Client().get("/notifications/").status_code == 302
    assert client_for(other_user).get("/api/v1/notifications/").json()["count"] == 0
    assert (
        client_for(other_user)
        .post("/api/v1/notifications/read/", {"ids": [note.pk]}, format="json")
        .json()["marked"]
        == 0
    )
    assert APIClient().get("/api/v1/notifications/").status_code == 401
    assert (
        client_for(user).post("/api/v1/notifications/read/", {"ids": "all"}, format="json").status_code == 400
    )
    huge = client_for(user).post("/api/v1/notifications/read/", {"ids": [10**30]}, format="json")
    assert huge.status_code == 400, "an id past 64 bits is refused before it reaches the database"
    assert (
        client_for(user)
        .post("/api/v1/notifications/read/", "[" * 50_000, content_type="application/json")
        .status_code
        == 400
    )
    opened = signed_in(user).post("/notifications/read/", {"id": note.pk, "next": "https://evil.example/"})
    assert opened["Location"] == "/notifications/"
    note.refresh_from_db()
    assert note.read_at is not None
