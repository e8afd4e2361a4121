"""Issue 19 in a real browser, scored by a real worker: a submission's insight (confusion-matrix heat map and
per-label table), two submissions compared, the First steps track, a public profile with badges, the 404 page and
the phone's scrolling tabs. Screenshots of each, desktop and phone."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from learning.models import Milestone
from submissions.models import Submission
from submissions.services.submit import submission_create
from tests.browser.test_learner_path import sign_up

pytestmark = [pytest.mark.slow]


def wait_scored(submission_ids: list[int], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        statuses = set(Submission.objects.filter(pk__in=submission_ids).values_list("status", flat=True))
        if statuses <= {Submission.Status.SCORED, Submission.Status.FAILED}:
            assert statuses == {Submission.Status.SCORED}, list(
                Submission.objects.filter(pk__in=submission_ids).values_list("error", flat=True)
            )
            return
        time.sleep(0.5)
    raise AssertionError(f"submissions {submission_ids} were not scored within {seconds} s")


def predictions(bundle: Path, *, fix: float, break_right: int) -> bytes:
    """The starter kit's baseline with a share of its mistakes corrected and some right rows made wrong."""
    baseline = pd.read_csv(bundle / "baseline" / "submission.csv", dtype=str)
    truth = pd.read_csv(bundle / "solution" / "solution.csv", dtype=str).set_index("filename")["label"]
    labels = baseline["label"].copy()
    true = truth.loc[baseline["filename"]].to_numpy()
    wrong = (labels.to_numpy() != true).nonzero()[0]
    labels.iloc[wrong[: int(len(wrong) * fix)]] = true[wrong[: int(len(wrong) * fix)]]
    right = (labels.to_numpy() == true).nonzero()[0][:break_right]
    labels.iloc[right] = [str((int(true[row]) + 1) % 10) for row in right]  # a 3 read as a 4, and so on
    return baseline.assign(label=labels).to_csv(index=False).encode()


def test_insight_compare_track_badges_404_and_phone_tabs(
    live_server, digits, digits_bundle, desktop, phone, shoot
):
    page = desktop.new_page()
    sign_up(page, live_server.url, "ada")
    from django.contrib.auth import get_user_model

    ada = get_user_model().objects.get(username="ada")
    first = submission_create(
        user=ada,
        challenge=digits,
        file=ContentFile(predictions(digits_bundle, fix=0, break_right=60), name="a.csv"),
    )
    wait_scored([first.pk])
    second = submission_create(
        user=ada,
        challenge=digits,
        file=ContentFile(predictions(digits_bundle, fix=0.6, break_right=0), name="b.csv"),
    )
    wait_scored([second.pk])
    deadline = time.monotonic() + 30  # milestones are awarded just after the score's commit
    while (
        time.monotonic() < deadline and not Milestone.objects.filter(user=ada, kind="beat_baseline").exists()
    ):
        time.sleep(0.3)
    assert set(Milestone.objects.filter(user=ada).values_list("kind", flat=True)) == {
        "first_valid",
        "beat_baseline",
    }

    # The insight of the better one, with its standing.
    page.goto(f"{live_server.url}/submissions/{second.pk}/")
    expect(page.locator("#confusion-matrix svg")).to_be_visible()
    expect(page.locator("#per-label tbody tr")).to_have_count(10)
    expect(page.locator("#new-personal-best")).to_contain_text("New personal best")
    expect(page.locator("#standing")).to_contain_text("Baseline")
    shoot(page, "insight-desktop")
    phone_page = phone.new_page()
    phone_page.context.add_cookies(desktop.cookies())
    phone_page.goto(f"{live_server.url}/submissions/{second.pk}/")
    expect(phone_page.locator("#confusion-matrix svg")).to_be_visible()
    shoot(phone_page, "insight-phone")

    # Compare the two, picked from the form.
    page.get_by_role("link", name="Compare with another of yours").click()
    page.get_by_label("Your other scored submission").select_option(str(first.pk))
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#changed-rows")).to_contain_text("Public rows changed label")
    expect(page.locator("#flows tbody tr").first).to_be_visible()
    shoot(page, "compare-desktop")
    phone_page.goto(f"{live_server.url}/submissions/{first.pk}/compare/?with={second.pk}")
    expect(phone_page.locator("#changed-rows")).to_be_visible()
    shoot(phone_page, "compare-phone")

    # The First steps track (only Identify the Digits is imported here), and the badges.
    page.goto(f"{live_server.url}/tracks/first-steps/")
    expect(page.locator("#track-progress")).to_contain_text("1 of 1")
    shoot(page, "track-desktop")
    phone_page.goto(f"{live_server.url}/tracks/first-steps/")
    shoot(phone_page, "track-phone")
    page.goto(f"{live_server.url}/challenges/{digits.slug}/leaderboard/")
    page.locator("#leaderboard").get_by_role("link", name="ada").click()
    expect(page.locator("#badges")).to_contain_text("Beat the baseline")
    shoot(page, "public-profile-badges-desktop")
    phone_page.goto(f"{live_server.url}/users/ada/")
    expect(phone_page.locator("#badges")).to_contain_text("First valid submission")
    shoot(phone_page, "public-profile-badges-phone")

    # A page that does not exist: the site's own page, with a way back.
    response = page.goto(f"{live_server.url}/no/such/page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This page does not exist")
    shoot(page, "not-found-desktop")
    phone_page.goto(f"{live_server.url}/no/such/page/")
    phone_page.locator("#to-challenges").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Challenges")
    phone_page.goto(f"{live_server.url}/no/such/page/")
    shoot(phone_page, "not-found-phone")

    # On a phone the challenge tabs scroll, and a shade at the edge says so.
    phone_page.goto(f"{live_server.url}/challenges/{digits.slug}/")
    tabs = phone_page.get_by_role("navigation", name="Challenge sections")
    assert tabs.evaluate("element => element.scrollWidth > element.clientWidth")
    assert "radial-gradient" in tabs.evaluate("element => getComputedStyle(element).backgroundImage")
    shoot(phone_page, "tabs-phone", full_page=False)
    tabs.evaluate("element => element.scrollBy(400, 0)")
    shoot(phone_page, "tabs-scrolled-phone", full_page=False)
