"""The e-mail address: optional on sign-up, set only by following the signed link sent to it."""

from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.models import OutgoingMail
from accounts.services.mail import mail_send
from tests.accounts.mailbox import link_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def verification_link(to: str) -> str:
    row = OutgoingMail.objects.filter(kind="verify_email", to=to).latest("pk")
    return urlsplit(link_in(row.body)).path


def sign_up(client: Client, **fields):
    data = {"username": "grace", "password1": "a long passphrase", "password2": "a long passphrase", **fields}
    return client.post("/accounts/signup/", data)


def test_sign_up_with_an_address_sends_a_link_that_verifies_it():
    client = Client()
    assert sign_up(client, email="grace@example.org").status_code == 302
    user = client.get("/api/v1/me/").wsgi_request.user
    assert user.email == "", "an address is stored only once verified"

    # The message goes out through the queue (the task's own service; the file backend is tested end to end).
    row = OutgoingMail.objects.get(kind="verify_email")
    assert mail_send(mail_id=row.pk) is True
    assert mail.outbox[0].to == ["grace@example.org"]
    assert mail_send(mail_id=row.pk) is False, "a second delivery of the task sends nothing"

    page = Client().get(verification_link("grace@example.org"))
    assert page.status_code == 200
    user.refresh_from_db()
    assert user.email == "grace@example.org"
    assert Client().get(verification_link("grace@example.org")).status_code == 200, (
        "following it again is harmless"
    )


def test_sign_up_without_an_address_still_works():
    assert sign_up(Client()).status_code == 302
    assert not OutgoingMail.objects.exists()


def test_changing_the_address_keeps_the_old_one_until_the_new_one_is_verified():
    user = UserFactory(email="old@example.org")
    client = Client()
    client.force_login(user)
    assert client.post("/accounts/email/", {"email": "new@example.org"}).status_code == 302
    user.refresh_from_db()
    assert user.email == "old@example.org"
    client.get(verification_link("new@example.org"))
    user.refresh_from_db()
    assert user.email == "new@example.org"


def test_a_bad_address_is_a_400():
    client = Client()
    client.force_login(UserFactory())
    response = client.post("/accounts/email/", {"email": "nope"})
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content


@pytest.mark.parametrize("tamper", ["edited", "expired", "taken"])
def test_a_link_that_is_edited_expired_or_for_a_taken_address_changes_nothing(tamper):
    user = UserFactory(email="")
    UserFactory(email="taken@example.org")
    client = Client()
    client.force_login(user)
    client.post("/accounts/email/", {"email": "taken@example.org" if tamper == "taken" else "me@example.org"})
    link = verification_link("taken@example.org" if tamper == "taken" else "me@example.org")
    if tamper == "edited":
        token = link.rstrip("/").rsplit("/", 1)[1]
        payload = signing.dumps(
            {"user": user.pk, "email": "attacker@example.org"}, salt="wrong", compress=True
        )
        link = link.replace(token, payload.split(":")[0] + ":" + token.split(":", 1)[1])
    if tamper == "expired":
        with mock.patch("django.core.signing.time.time", return_value=__import__("time").time() + 4 * 86400):
            response = Client().get(link)
    else:
        response = Client().get(link)
    assert response.status_code == 400
    assert b"This link cannot be used" in response.content
    user.refresh_from_db()
    assert user.email == ""


@override_settings(HUB_REQUIRE_VERIFIED_EMAIL=True)
def test_when_the_hub_requires_a_verified_address_sign_up_asks_for_one_and_acting_waits_for_it(challenge):
    client = Client()
    refused = sign_up(client)
    assert refused.status_code == 400
    assert b"This field is required" in refused.content
    assert sign_up(client, email="grace@example.org").status_code == 302

    page = client.post(f"/challenges/{challenge.slug}/submit/", {})
    assert page.status_code == 302 and page["Location"] == "/accounts/email/"
    token = client.post("/accounts/token/", {"action": "create"})
    assert token.status_code == 302, "managing the account stays open"
    key = client.get("/accounts/profile/").context["token"].key
    answer = APIClient().post(
        f"/api/v1/challenges/{challenge.slug}/submissions/", {}, HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "email_not_verified"

    client.get(verification_link("grace@example.org"))
    answer = APIClient().post(
        f"/api/v1/challenges/{challenge.slug}/submissions/", {}, HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert answer.status_code == 400, "verified, the request reaches the API (which asks for the file)"


def test_the_retry_delay_doubles_and_is_capped():
    from accounts.services.mail import retry_delay

    with override_settings(HUB_MAIL_RETRY_SECONDS=30, HUB_MAIL_RETRY_MAX_SECONDS=300):
        assert [retry_delay(n) for n in range(1, 6)] == [30, 60, 120, 240, 300]
    assert timedelta(seconds=retry_delay(50)).total_seconds() <= 3600


def test_the_sweeper_enqueues_overdue_and_abandoned_rows_only(monkeypatch):
    from django.utils import timezone

    from accounts.services import mail as mail_service

    enqueued: list[int] = []
    monkeypatch.setattr(mail_service, "mail_enqueue", lambda mail_id, **_: enqueued.append(mail_id))
    long_ago = timezone.now() - timedelta(hours=2)

    def row(**fields):
        made = OutgoingMail.objects.create(kind="t", to="a@example.org", subject="s", body="b")
        OutgoingMail.objects.filter(pk=made.pk).update(**fields)
        return made.pk

    overdue = row(next_attempt_at=long_ago)
    abandoned = row(status=OutgoingMail.Status.SENDING, claimed_at=long_ago)
    row()  # just queued: its own task is on its way
    row(status=OutgoingMail.Status.SENT, next_attempt_at=long_ago)
    row(status=OutgoingMail.Status.SENDING, claimed_at=timezone.now())  # being sent right now

    assert mail_service.mail_sweep() == 2
    assert sorted(enqueued) == sorted([overdue, abandoned])
    assert OutgoingMail.objects.get(pk=abandoned).status == OutgoingMail.Status.QUEUED
