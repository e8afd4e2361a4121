"""The main pages in a real browser: live leaderboard, accessibility basics at desktop and phone width, keyboard
focus, and reading without JavaScript. The screenshots of docs/screenshots come from here."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.board import fill_board, submit, wait_until_scored
from tests.browser.checks import accessibility_problems
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]


def sign_in(context, live_server, user) -> None:
    """Give the browser a session of `user`, as if they had signed in (the form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_a_new_score_appears_on_an_open_leaderboard_without_a_reload(
    live_server, digits, desktop, settings, shoot
):
    settings.HUB_LEADERBOARD_POLL_SECONDS = 1
    fill_board(digits, learners=5)
    page = desktop.new_page()
    page.goto(f"{live_server.url}/challenges/{digits.slug}/leaderboard/")
    page.evaluate("window.sameDocument = true")
    expect(page.locator("#leaderboard")).not_to_contain_text("newcomer")

    newcomer = submit(digits, UserFactory(username="newcomer"), 0.999, seed=99)
    wait_until_scored([newcomer])

    first_row = page.locator("#leaderboard tbody tr").first
    expect(first_row).to_contain_text("newcomer", timeout=15_000)
    expect(first_row.locator("td.rank")).to_have_text("1")
    assert page.evaluate("window.sameDocument") is True
    shoot(page, "leaderboard-live-update-desktop")


MAIN_PAGES = [
    ("home", "/"),
    ("challenges", "/challenges/"),
    ("overview", "/challenges/identify-the-digits/"),
    ("data", "/challenges/identify-the-digits/data/"),
    ("evaluation", "/challenges/identify-the-digits/evaluation/"),
    ("starter-kit", "/challenges/identify-the-digits/starter-kit/"),
    ("leaderboard", "/challenges/identify-the-digits/leaderboard/"),
    ("submit", "/challenges/identify-the-digits/submit/"),
    ("my-submissions", "/challenges/identify-the-digits/submissions/"),
    ("submission", "/submissions/{submission}/"),
    ("datasets", "/datasets/"),
    ("profile", "/accounts/profile/"),
    ("password-change", "/accounts/password/"),
]


def test_main_pages_pass_the_accessibility_basics_at_desktop_and_phone_width(
    live_server, digits, desktop, phone, shoot
):
    fill_board(digits)
    ada = UserFactory(username="ada")
    mine = [
        submit(digits, ada, accuracy, seed=50 + i, hours_ago=30 - 12 * i)
        for i, accuracy in enumerate((0.6, 0.8, 0.9))
    ]
    wait_until_scored(mine)
    anonymous = {"sign-in": "/accounts/login/", "sign-up": "/accounts/signup/"}

    problems = []
    for context, width in ((desktop, "desktop"), (phone, "phone")):
        page = context.new_page()
        for name, address in anonymous.items():
            page.goto(live_server.url + address)
            problems += [f"{name} ({width}) {p}" for p in accessibility_problems(page)]
            shoot(page, f"{name}-{width}")
        sign_in(context, live_server, ada)
        for name, address in MAIN_PAGES:
            page.goto(live_server.url + address.format(submission=mine[-1].pk))
            problems += [f"{name} ({width}) {p}" for p in accessibility_problems(page)]
            shoot(page, f"{name}-{width}")

    assert problems == [], "\n".join(problems)


def test_keyboard_focus_is_always_visible_and_the_skip_link_goes_to_the_content(live_server, digits, desktop):
    sign_in(desktop, live_server, UserFactory())
    page = desktop.new_page()
    page.goto(f"{live_server.url}/challenges/{digits.slug}/submit/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    for _ in range(12):
        outline = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert outline[0] != "none" and outline[1] >= 2, page.evaluate("document.activeElement.outerHTML")
        page.keyboard.press("Tab")

    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_leaderboards_and_data_pages_read_without_javascript(live_server, digits, browser):
    fill_board(digits, learners=3)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(f"{live_server.url}/challenges/{digits.slug}/leaderboard/")
    expect(page.locator("#leaderboard tbody tr")).to_have_count(4)  # three learners and the baseline
    page.goto(f"{live_server.url}/challenges/{digits.slug}/data/")
    expect(page.locator(".gallery img")).to_have_count(20)
    assert all(
        page.eval_on_selector_all(".gallery img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
    )
    expect(page.locator(".bars tbody tr")).to_have_count(10)  # one bar per digit
    context.close()
