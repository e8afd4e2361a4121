"""A stored <script> never runs: host Markdown and learner-written text, rendered by the real pages in a real
browser (Debian's Chromium, driven by Playwright)."""

import os
from pathlib import Path

import pytest
from django.test import Client

from submissions.scoring import submission_score
from submissions.services import submission_create
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


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright runs an event loop in this thread; the database work is all done before it starts.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


def test_stored_scripts_in_host_markdown_and_learner_text_never_run(live_server, make_challenge, browser):
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
    cookie = {"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}
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

    context = browser.new_context()
    context.add_cookies([cookie])
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        for link in page.locator("a[href^='javascript:' i]").all():
            link.click()  # would run the payload if any javascript: link survived
        assert page.evaluate("window.__xss || []") == [], path
        assert (
            page.locator("script:not([src])").count() == 0
            or "push(" not in page.content().split("</head>")[1]
        )
    assert dialogs == []

    page.goto(live_server.url + f"/challenges/{challenge.slug}/")
    text = page.locator("main").inner_text()
    assert "<script>" in text or "Welcome" in text  # shown as text or dropped, never run
    context.close()
