"""Password reset by e-mail, end to end: the request stores a message, a real `celery worker` writes it through
Django's file backend into var/mail/, and the link in it sets a new password once, and only until it expires."""

from datetime import datetime, timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, override_settings

from accounts.models import OutgoingMail
from tests.accounts.mailbox import link_in, messages_in_mailbox
from tests.factories import UserFactory
from tests.processes import wait_for

pytestmark = [pytest.mark.slow]


@pytest.fixture
def mail_worker(shared_worker):
    return shared_worker


def ask_for_reset(client: Client, email: str):
    return client.post("/accounts/password/reset/", {"email": email}, follow=True)


def test_the_link_in_the_message_sets_a_new_password_once(mail_worker):
    UserFactory(username="ada", email="ada@example.org")
    client = Client()

    known = ask_for_reset(client, "ada@example.org")
    unknown = ask_for_reset(client, "nobody@example.org")

    # The same page whether or not an account has the address.
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/sent/", 302)]
    assert known.content == unknown.content
    messages = wait_for(messages_in_mailbox, timeout=60, message="the worker to write the message")
    assert [m["To"] for m in messages] == ["ada@example.org"]
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.SENT

    link = urlsplit(link_in(messages[0].get_content())).path
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
        follow=True,
    )
    assert b"Your password is changed" in done.content
    assert Client().login(username="ada", password="a brand new passphrase")

    again = Client().get(link, follow=True)
    assert b"This link no longer works" in again.content
    assert b"Choose a new password" not in again.content


@pytest.mark.django_db
def test_a_link_stops_working_once_it_expires(django_capture_on_commit_callbacks):
    UserFactory(username="ada", email="ada@example.org")
    ask_for_reset(Client(), "ada@example.org")
    link = urlsplit(link_in(OutgoingMail.objects.get(kind="password_reset").body)).path

    later = datetime.now() + timedelta(seconds=60 * 60 * 3 + 60)
    with mock.patch.object(default_token_generator, "_now", return_value=later):
        expired = Client().get(link, follow=True)
    assert b"This link no longer works" in expired.content
    assert b"Choose a new password" in Client().get(link, follow=True).content


@pytest.mark.django_db
def test_an_invalid_address_is_a_400_naming_the_field():
    response = Client().post("/accounts/password/reset/", {"email": "not an address"})
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert not OutgoingMail.objects.exists()


@pytest.mark.django_db
@override_settings(HUB_PASSWORD_RESET_RATE_EMAIL="3/hour")
@pytest.mark.parametrize("email", ["ada@example.org", "nobody@example.org"])
def test_requests_for_one_address_are_limited_alike_whether_it_exists_or_not(email):
    UserFactory(username="ada", email="ada@example.org")
    answers = [
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(
            "/accounts/password/reset/", {"email": email.upper() if n else email}
        )
        for n in range(4)
    ]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert "Too many password-reset requests" in answers[-1].content.decode()
    assert OutgoingMail.objects.count() == (3 if email.startswith("ada") else 0)


@pytest.mark.django_db
@override_settings(HUB_PASSWORD_RESET_RATE_EMAIL="3/hour")
def test_requests_from_one_client_address_are_limited_across_addresses(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "password_reset": "5/hour",
        },
    }
    client = Client(REMOTE_ADDR="10.0.0.9")
    statuses = [
        client.post("/accounts/password/reset/", {"email": f"u{n}@example.org"}).status_code for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    # Another client address is not held back; a forged X-Forwarded-For does not count as one.
    assert (
        Client(REMOTE_ADDR="10.0.0.10")
        .post("/accounts/password/reset/", {"email": "u9@example.org"})
        .status_code
        == 302
    )
    forged = client.post(
        "/accounts/password/reset/", {"email": "u8@example.org"}, HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert forged.status_code == 429
