"""A teacher makes a challenge from the form, in a real browser: types the description and sees the live preview
(rendered by the server, sanitised as the challenge page will be), fills the scoring settings, uploads the files
and the solution, and publishes the draft; a wrong solution first comes back beside its field."""

import pytest
from playwright.sync_api import expect

from projects.hosting import host_grant
from projects.models import Challenge
from tests.bundles import predictions_csv, truth
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]

PASSWORD = "correct horse battery staple"


def test_a_host_creates_a_challenge_from_the_form_with_a_live_preview_and_publishes_it(
    live_server, transactional_db, browser, tmp_path, shoot
):
    teacher = UserFactory(username="ms-hopper")
    host_grant(user=teacher)
    rows = truth(20)
    files = {
        "train": "id,feature,label\nt1,1,a\nt2,2,b\nt3,3,c\n",
        "test": "id,feature\n" + "".join(f"{i},{i}\n" for i, _, _ in rows),
        "sample": predictions_csv(20, correct=0).decode(),
        "solution": "id,label,Usage\n" + "".join(f"{i},{label},{usage}\n" for i, label, usage in rows),
        "bad_solution": "id,label,Usage\n1,a,Public\n",
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + "/host/")
    page.get_by_label("Username").fill("ms-hopper")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="make a challenge from a form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A challenge from a form")

    page.get_by_label("Title").fill("Week 2: colours")
    page.get_by_label("Slug").fill("week-2-colours")
    page.get_by_label("Summary").fill("Name the colour from one number.")
    page.get_by_label("Description").fill(
        "# Week 2\n\n## The task\n\nPredict the **colour** of each row of `test.csv`.\n\n"
        "| label | colour |\n|---|---|\n| a | red |\n| b | green |\n| c | blue |\n\n"
        "<script>document.title = 'owned'</script>"
    )
    preview = page.locator("#preview-description")
    expect(preview.locator("strong")).to_have_text("colour")
    expect(preview.get_by_role("heading", name="The task")).to_be_visible()
    expect(preview.locator("table td").first).to_have_text("a")
    assert preview.locator("script").count() == 0 and page.title() != "owned"
    page.get_by_label("Evaluation").fill("Accuracy on the *hidden* labels of `test.csv`.")
    expect(page.locator("#preview-evaluation em")).to_have_text("hidden")
    page.get_by_label("Allowed labels").fill("a, b, c")
    page.get_by_label("End (UTC)").fill("2030-06-01 17:00")
    page.get_by_label("Daily limit").fill("5")
    page.get_by_label("Training data (train.csv)").set_input_files(paths["train"])
    page.get_by_label("Test data (test.csv)").set_input_files(paths["test"])
    page.get_by_label("Sample submission").set_input_files(paths["sample"])
    page.get_by_label("Hidden solution").set_input_files(paths["bad_solution"])
    page.get_by_role("button", name="Check the solution and create the draft").click()

    # The engine's words, beside the solution; nothing was created.
    expect(page.locator(".errorlist").first).to_contain_text("The solution")
    assert not Challenge.objects.filter(slug="week-2-colours").exists()
    expect(page.locator("#preview-description strong")).to_have_text("colour")  # the texts came back
    # A browser never fills in files again: choose them once more.
    page.get_by_label("Training data (train.csv)").set_input_files(paths["train"])
    page.get_by_label("Test data (test.csv)").set_input_files(paths["test"])
    page.get_by_label("Sample submission").set_input_files(paths["sample"])
    page.get_by_label("Hidden solution").set_input_files(paths["solution"])
    page.locator("#preview-description").scroll_into_view_if_needed()
    shoot(page, "host-form")
    page.get_by_role("button", name="Check the solution and create the draft").click()

    expect(page.get_by_text("Week 2: colours is a draft: only its hosts see it")).to_be_visible()
    challenge = Challenge.objects.get(slug="week-2-colours")
    assert not challenge.is_published and challenge.visibility == "private"
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("is published (Private")).to_be_visible()
    challenge.refresh_from_db()
    assert challenge.is_published and challenge.solution.rows == 20
    page.goto(live_server.url + "/challenges/week-2-colours/")
    expect(page.locator(".prose strong").first).to_have_text("colour")
