"""Teams in a real browser, scored by a real worker: a learner creates a team on the Team tab, a second learner
joins through the invite link, each submits, and the leaderboard shows one row for the team with both names."""

import pytest
from playwright.sync_api import expect

from submissions.models import Participant, Submission
from tests.browser.test_learner_path import sign_up

pytestmark = [pytest.mark.slow]


def submit_sample(page, base_url: str, slug: str, sample) -> None:
    page.goto(f"{base_url}/challenges/{slug}/submit/")
    page.get_by_label("Prediction file").set_input_files(sample)
    page.get_by_role("button", name="Upload and score").click()
    expect(page.locator("#public-score")).to_be_visible(timeout=60_000)


def test_a_team_forms_through_its_invite_link_and_ranks_as_one_row(
    live_server, digits, browser, tmp_path, shoot
):
    ada_context = browser.new_context(viewport={"width": 1280, "height": 900})
    ben_context = browser.new_context(viewport={"width": 1280, "height": 900})
    for context in (ada_context, ben_context):
        context.set_default_timeout(15_000)
    ada, ben = ada_context.new_page(), ben_context.new_page()
    sign_up(ada, live_server.url, "ada")
    sign_up(ben, live_server.url, "ben")
    sample = tmp_path / "sample_submission.csv"
    sample.write_bytes(digits.dataset.files.get(name="sample_submission.csv").file.read())

    ada.goto(f"{live_server.url}/challenges/{digits.slug}/")
    ada.get_by_role("navigation", name="Challenge sections").get_by_role("link", name="Team").click()
    ada.get_by_label("Team name").fill("Gradient Descenders")
    ada.get_by_role("button", name="Create team").click()
    expect(ada.locator(".messages")).to_contain_text("You created the team Gradient Descenders")
    invite_link = ada.locator("#invite-link").input_value()
    assert invite_link.endswith(
        f"/team/join/{Participant.objects.get(name='Gradient Descenders').invite_code}/"
    )

    ben.goto(invite_link)
    expect(ben.get_by_role("heading", name="Join Gradient Descenders")).to_be_visible()
    ben.get_by_role("button", name="Join Gradient Descenders").click()
    expect(ben.locator(".messages")).to_contain_text("You joined Gradient Descenders")
    expect(ben.locator("#team-members")).to_contain_text("ada")
    expect(ben.locator("#team-members")).to_contain_text("ben")

    submit_sample(ada, live_server.url, digits.slug, sample)
    submit_sample(ben, live_server.url, digits.slug, sample)
    team = Participant.objects.get(name="Gradient Descenders")
    assert Submission.objects.filter(participant=team, status="scored").count() == 2

    ada.goto(f"{live_server.url}/challenges/{digits.slug}/team/")
    expect(ada.locator("#team-members")).to_contain_text("ben")
    shoot(ada, "team-tab-desktop")

    ben.goto(f"{live_server.url}/challenges/{digits.slug}/leaderboard/")
    rows = ben.locator("#leaderboard tbody tr", has_text="Gradient Descenders")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("ada")
    expect(rows).to_contain_text("ben")
    expect(ben.locator("#leaderboard tbody tr.me")).to_contain_text("Gradient Descenders")
    shoot(ben, "leaderboard-team-desktop")

    rows.get_by_role("link", name="Gradient Descenders").click()
    expect(ben.locator("#team-page-members")).to_contain_text("ada")
    ada_context.close()
    ben_context.close()
