"""The discussion in a real browser, with a real worker sending the mail: a learner opens a topic, another replies,
the first sees the bell's count go up and reads the reply; a host's announcement reaches a participant's mailbox
folder (var/mail/, Django's file backend as the worker writes it)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import OutgoingMail
from tests.accounts.mailbox import messages_in_mailbox
from tests.factories import UserFactory
from tests.processes import wait_for

pytestmark = [pytest.mark.slow]


def signed_in_context(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context


def test_a_reply_lights_the_bell_and_an_announcement_reaches_the_mailbox(live_server, digits, browser, shoot):
    ada = UserFactory(username="ada", email="ada@example.org")
    grace = UserFactory(username="grace", email="")
    host = UserFactory(username="hubhost", is_staff=True, email="")
    ada_context = signed_in_context(browser, live_server, ada)
    grace_context = signed_in_context(browser, live_server, grace)
    host_context = signed_in_context(browser, live_server, host)
    try:
        # Ada opens a topic from the challenge's Discussion tab.
        ada_page = ada_context.new_page()
        ada_page.goto(f"{live_server.url}/challenges/{digits.slug}/")
        ada_page.get_by_role("navigation", name="Challenge sections").get_by_role(
            "link", name="Discussion"
        ).click()
        ada_page.get_by_label("Title").fill("Is a CNN needed for 0.98?")
        ada_page.get_by_label("Body").fill(
            "My logistic regression reaches **0.92**:\n\n```python\nmodel.fit(X, y)\n```"
        )
        ada_page.get_by_role("button", name="Post the topic").click()
        expect(ada_page.get_by_role("heading", name="Is a CNN needed for 0.98?")).to_be_visible()
        expect(ada_page.locator("#bell-count")).to_have_count(0)
        topic_url = ada_page.url

        # Grace replies.
        grace_page = grace_context.new_page()
        grace_page.goto(f"{live_server.url}/challenges/{digits.slug}/discussion/")
        shoot(grace_page, "discussion-desktop")
        grace_page.get_by_role("link", name="Is a CNN needed for 0.98?").click()
        grace_page.get_by_label("Your reply").fill("Try an SVM with an RBF kernel first: it gets **0.97**.")
        grace_page.get_by_role("button", name="Reply").click()
        expect(grace_page.locator(".post").nth(1)).to_contain_text("Try an SVM")

        # Ada's next page shows one unread notification; she opens it and reads the reply.
        ada_page.goto(f"{live_server.url}/challenges/")
        expect(ada_page.locator("#bell-count")).to_have_text("1")
        shoot(ada_page, "notification-bell-desktop", full_page=False)
        ada_page.locator("#bell").click()
        expect(ada_page.get_by_role("heading", name="Notifications")).to_be_visible()
        expect(ada_page.locator(".notification.unread")).to_contain_text("grace replied to your topic")
        shoot(ada_page, "notifications-desktop")
        ada_page.get_by_role("button", name="Open").click()
        expect(ada_page.locator(".post").nth(1)).to_contain_text("Try an SVM with an RBF kernel first")
        assert ada_page.url.split("#")[0].split("?")[0] == topic_url
        expect(ada_page.locator("#bell-count")).to_have_count(0)
        shoot(ada_page, "topic-desktop")

        # The host's announcement: pinned, and mailed to Ada (a participant with an address) by the worker.
        host_page = host_context.new_page()
        host_page.goto(f"{live_server.url}/challenges/{digits.slug}/discussion/")
        host_page.get_by_label("Title").fill("The deadline moves to Friday")
        host_page.get_by_label("Body").fill("One more week for everyone.")
        host_page.get_by_label("Announcement: pin it and notify every participant (hosts only)").check()
        host_page.get_by_role("button", name="Post the topic").click()
        expect(host_page.locator(".badge.announcement").first).to_be_visible()
        expect(host_page.locator(".badge.host").first).to_be_visible()

        def announcement_in_mailbox():
            return [
                m
                for m in messages_in_mailbox()
                if m["To"] == "ada@example.org" and "The deadline moves to Friday" in m["Subject"]
            ]

        mailed = wait_for(announcement_in_mailbox, timeout=60, message="the announcement in Ada's mailbox")
        assert "/notifications/unsubscribe/" in mailed[0].get_content()
        assert OutgoingMail.objects.get(kind="notification:announcement").status == OutgoingMail.Status.SENT
        ada_page.goto(f"{live_server.url}/challenges/{digits.slug}/discussion/")
        expect(ada_page.locator(".topic-row").first).to_contain_text("The deadline moves to Friday")
        expect(ada_page.locator("#bell-count")).to_have_text("1")
    finally:
        for context in (ada_context, grace_context, host_context):
            context.close()
