"""A teacher runs a private challenge for a class, in a real browser with a real worker: the host uploads a bundle
on /host/, publishes the draft and copies the invite link; a learner opens the link, signs in, joins, submits and
gets a score; the host sees the learner on the roster and downloads the gradebook CSV."""

import csv
import io

import pytest
from playwright.sync_api import expect

from projects.bundles import zip_folder
from projects.hosting import host_grant
from projects.models import Admission, Challenge
from submissions.models import Submission
from tests.bundles import expected_scores, predictions_csv, write_bundle
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]

PASSWORD = "correct horse battery staple"


def sign_in(page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_host_runs_a_private_class_challenge_from_invite_to_gradebook(
    live_server, transactional_db, worker, browser, tmp_path, shoot
):
    teacher = UserFactory(username="ms-hopper", first_name="Grace", last_name="Hopper")
    host_grant(user=teacher)
    UserFactory(username="ada", first_name="Ada", last_name="Lovelace", email="ada@school.example")
    bundle = write_bundle(
        tmp_path / "bundle",
        slug="week-1-colours",
        title="Week 1: colours",
        summary="Our first classification exercise.",
        visibility="private",
    )
    archive = zip_folder(bundle, tmp_path / "week-1-colours.zip")

    host = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    host.set_default_timeout(15_000)
    page = host.new_page()
    page.goto(live_server.url + "/host/")
    sign_in(page, "ms-hopper")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hosting")
    page.get_by_label("Challenge bundle (.zip)").set_input_files(archive)
    shoot(page, "host-upload-bundle")
    page.get_by_role("button", name="Upload and create the draft").click()
    expect(page.get_by_text("Draft: only its hosts see it", exact=True)).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("is published (Private")).to_be_visible()
    join_url = page.locator("#join-url").input_value()
    challenge = Challenge.objects.get(slug="week-1-colours")
    assert join_url == f"{live_server.url}/challenges/week-1-colours/join/{challenge.invite_code}/"
    shoot(page, "host-manage")

    learner = browser.new_context(viewport={"width": 1280, "height": 900})
    learner.set_default_timeout(15_000)
    student = learner.new_page()
    response = student.goto(live_server.url + "/challenges/week-1-colours/")
    assert response.status == 404  # private: nothing to see without the invite
    student.goto(join_url)
    sign_in(student, "ada")
    expect(student.get_by_role("heading", level=1)).to_have_text("Join Week 1: colours")
    shoot(student, "learner-join")
    student.get_by_role("button", name="Join as ada").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Week 1: colours")
    assert Admission.objects.filter(challenge=challenge, user__username="ada", via="invite").exists()

    predictions = tmp_path / "predictions.csv"
    predictions.write_bytes(predictions_csv(20, correct=16))
    student.get_by_role("navigation", name="Challenge sections").get_by_role("link", name="Submit").click()
    student.get_by_label("Prediction file").set_input_files(predictions)
    student.get_by_role("button", name="Upload and score").click()
    expect(student.locator("#public-score")).to_be_visible(timeout=60_000)
    submission = Submission.objects.get(user__username="ada", is_baseline=False)
    assert submission.status == "scored", submission.error
    public, private = expected_scores(20, correct=16)
    assert submission.public_score == pytest.approx(public)

    page.get_by_role("link", name="Roster").click()
    roster = page.locator("#roster")
    expect(roster).to_contain_text("ada")
    expect(roster).to_contain_text("Ada Lovelace")
    expect(roster).to_contain_text(f"{public:.5f}")
    shoot(page, "host-roster")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Gradebook (CSV)").first.click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.name == "week-1-colours-gradebook.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [row["username"] for row in rows] == ["ada"]
    assert rows[0]["email"] == "ada@school.example" and rows[0]["public_rank"] == "1"
    assert float(rows[0]["best_public"]) == pytest.approx(public)
    assert float(rows[0]["best_private"]) == pytest.approx(private)
    host.close()
    learner.close()
