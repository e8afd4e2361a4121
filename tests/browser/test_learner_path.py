"""The learner's path through the site in a real browser, scored by a real worker: sign up, open Identify the
Digits, download the sample submission, upload it, watch the status turn into a score without a reload, find
the row on the leaderboard and open the submission page. And a bad file, dropped on the form."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from submissions.models import Submission

pytestmark = [pytest.mark.slow]

PASSWORD = "a long pass phrase 123"


def sign_up(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("link", name=username)).to_be_visible()


def test_a_new_learner_submits_the_sample_and_sees_its_score_and_row(
    live_server, digits, desktop, tmp_path, shoot
):
    page = desktop.new_page()
    sign_up(page, live_server.url, "ada")

    page.get_by_role("link", name="Start with Identify the Digits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Identify the Digits")
    page.get_by_role("navigation", name="Challenge sections").get_by_role("link", name="Data").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="sample_submission.csv", exact=True).click()
    sample = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(sample)

    page.get_by_role("navigation", name="Challenge sections").get_by_role("link", name="Submit").click()
    expect(page.locator("#remaining-today")).to_have_text("10 of 10")
    page.evaluate("""() => {
        window.sameDocument = true;
        window.uploadProgress = [];
        document.addEventListener("htmx:xhr:progress", () => {
            window.uploadProgress.push(document.querySelector(".upload-progress").value);
        });
    }""")
    page.get_by_label("Prediction file").set_input_files(sample)
    expect(page.locator(".dz-file")).to_contain_text("sample_submission.csv")
    page.get_by_role("button", name="Upload and score").click()

    score = page.locator("#public-score")
    expect(score).to_be_visible(timeout=60_000)
    submission = Submission.objects.get(user__username="ada")
    assert submission.status == "scored", submission.error
    expect(score).to_have_text(f"{submission.public_score:.5f}")
    assert page.evaluate("window.sameDocument") is True  # the score arrived without a reload
    assert 100 in page.evaluate("window.uploadProgress")
    expect(page.locator("#remaining-today")).to_have_text("9 of 10")
    shoot(page, "submit-scored-desktop")

    page.get_by_role("link", name="See the leaderboard").click()
    my_row = page.locator("#leaderboard tr.me")
    expect(my_row).to_contain_text("ada")
    expect(my_row).to_contain_text(f"{submission.public_score:.5f}")
    expect(page.locator("#my-rank")).to_contain_text("Your rank")

    page.get_by_role("navigation", name="Challenge sections").get_by_role(
        "link", name="My submissions"
    ).click()
    page.get_by_role("link", name=str(submission.pk), exact=True).click()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("sample_submission.csv")
    expect(facts).to_contain_text(hashlib.sha256(sample.read_bytes()).hexdigest())
    expect(facts).to_contain_text(f"{sample.stat().st_size} bytes")
    expect(facts).to_contain_text(re.compile(r"Time taken\s*[\d.]+ s to score"))
    shoot(page, "submission-of-the-sample-desktop")


def test_a_bad_file_dropped_on_the_form_fails_with_what_to_change(live_server, digits, desktop, shoot):
    page = desktop.new_page()
    sign_up(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/challenges/{digits.slug}/submit/")

    # Drop a file the way a person drags one from their desktop: a drop event carrying it.
    page.locator(".dropzone").dispatch_event(
        "drop",
        {
            "dataTransfer": page.evaluate_handle("""() => {
                const transfer = new DataTransfer();
                transfer.items.add(new File(["filename;label\\n7000.png;3\\n"], "predictions.csv", {type: "text/csv"}));
                return transfer;
            }""")
        },
    )
    expect(page.locator(".dz-file")).to_contain_text("predictions.csv")
    page.get_by_role("button", name="Upload and score").click()

    error = page.locator("#submission-error")
    expect(error).to_be_visible(timeout=60_000)
    expect(error).to_contain_text("use commas")
    expect(page.locator("#submission-status-label")).to_have_text("Failed")
    expect(page.locator("#remaining-today")).to_have_text("10 of 10")  # a failed file does not count
    shoot(page, "submit-failed-desktop")

    # An empty file never reaches the worker: the form refuses it at once and says what to upload.
    page.get_by_label("Prediction file").set_input_files(
        {"name": "empty.csv", "mimeType": "text/csv", "buffer": b""}
    )
    page.get_by_role("button", name="Upload and score").click()
    expect(page.get_by_role("alert").first).to_contain_text("The file is empty")
    assert Submission.objects.filter(user__username="grace").count() == 1
