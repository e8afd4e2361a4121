"""A stored <script> never runs: host Markdown and learner-written text, rendered by the real pages in a real
browser (Debian's Chromium, driven by Playwright).

The browser's requests are answered by Django's test client in this thread (Playwright's request routing), so the
pages come from the real views and templates on the test database, with no server thread holding connections."""

import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.test import Client

from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Each payload, if it ever ran, would add its number to window.__xss.
PAYLOADS = [
    "<script>(window.__xss = window.__xss || []).push(1)</script>",
    '<img src="x" onerror="(window.__xss = window.__xss || []).push(2)">',
    '<svg onload="(window.__xss = window.__xss || []).push(3)"></svg>',
    "[click me](javascript:(window.__xss=window.__xss||[]).push(4))",
    '<a href="javascript:(window.__xss=window.__xss||[]).push(5)" id="js-link">link</a>',
    '<iframe srcdoc="<script>parent.__xss=(parent.__xss||[]);parent.__xss.push(6)</script>"></iframe>',
]


@contextlib.contextmanager
def chromium(monkeypatch) -> Iterator:
    """Debian's Chromium under Playwright. Start it only after the test's database work: while Playwright's event
    loop runs in this thread, Django gives the code running there connections of its own."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # The pages are served from Playwright's callbacks, which Django would refuse as "async" code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


SITE = "http://hub.test"


def _serve_with(client: Client):
    def serve(route) -> None:
        url = urlsplit(route.request.url)
        try:
            response = client.get(url.path + (f"?{url.query}" if url.query else ""))
            body = b"".join(response.streaming_content) if response.streaming else response.content
        finally:
            connections.close_all()  # this callback's own connections, not the test's
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=body)

    return serve


@pytest.mark.django_db(transaction=True)  # the callbacks' connections must see the test's rows
def test_stored_scripts_in_host_markdown_and_learner_text_never_run(make_challenge, monkeypatch):
    hostile = "\n\n".join(PAYLOADS)
    challenge = make_challenge(slug="hostile")
    challenge.description = f"# Welcome\n\n{hostile}"
    challenge.evaluation = hostile
    challenge.summary = PAYLOADS[0]
    challenge.title = PAYLOADS[1][:200]
    challenge.save()
    learner = UserFactory(username="<script>(window.__xss=window.__xss||[]).push(7)</script>"[:150])
    submission = submission_create(
        user=learner, challenge=challenge, file=upload(predictions_csv(20, correct=12), PAYLOADS[1][:100]),
        description=PAYLOADS[0],
    )  # fmt: skip
    submission_score(submission_id=submission.pk, delivery_id="d1")
    session = Client()
    session.force_login(learner)
    pages = [
        "/",
        "/challenges/",
        f"/challenges/{challenge.slug}/",
        f"/challenges/{challenge.slug}/evaluation/",
        f"/challenges/{challenge.slug}/leaderboard/",
        f"/challenges/{challenge.slug}/submissions/",
        f"/submissions/{submission.pk}/",
        "/datasets/",
    ]

    with chromium(monkeypatch) as browser:
        _visit_every_page(browser, session, pages, challenge.slug)


def _visit_every_page(browser, session: Client, pages: list[str], slug: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.route(f"{SITE}/**", _serve_with(session))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in pages:
        response = page.goto(SITE + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        for link in page.locator("a[href^='javascript:' i]").all():
            link.click()  # would run the payload if any javascript: link survived
        assert page.evaluate("window.__xss || []") == [], path
    assert dialogs == []

    page.goto(SITE + f"/challenges/{slug}/")
    text = page.locator("main").inner_text()
    assert "<script>" in text or "Welcome" in text  # shown as text or dropped, never run
    context.close()
