"""The real `evalai` and `kaggle` commands, installed from PyPI, against the hub served by gunicorn on port 80
with a real `celery worker`: what a learner types, what they read, and what the hub's own pages then show."""

import json
import re
import urllib.request
import zipfile

import pytest

from projects.services import challenge_import_bundle
from submissions.models import Submission
from submissions.services.submit import submission_create
from tests.bundles import expected_scores, predictions_csv, write_bundle
from tests.compat.clients import HUB, Cli
from tests.conftest import upload
from tests.processes import wait_for

pytestmark = [pytest.mark.slow]


@pytest.fixture
def hub(transactional_db, hub_on_port_80, scoring_worker, tmp_path):
    """A live hub holding one 40-row challenge; the test database is committed, so the processes see it."""
    return challenge_import_bundle(write_bundle(tmp_path / "bundle", slug="digits", rows=40)).challenge


@pytest.fixture
def evalai(evalai_bin, learner, tmp_path) -> Cli:
    cli = Cli(evalai_bin, tmp_path / "evalai-home")
    assert "is set as the host url" in cli("host", "-sh", HUB)
    assert "successfully set" in cli("set_token", learner.key)
    return cli


def scored_in_the_end(submission_id: int) -> Submission:
    def finished():
        submission = Submission.objects.get(pk=submission_id)
        return submission if submission.status in Submission.FINAL_STATUSES else None

    submission = wait_for(finished, timeout=60, message=f"submission {submission_id} to be scored")
    assert submission.status == Submission.Status.SCORED, submission.error
    return submission


def hub_page(path: str) -> str:
    with urllib.request.urlopen(f"{HUB}{path}", timeout=10) as response:
        return response.read().decode()


def assert_the_hub_shows(challenge, username: str, score: float) -> None:
    rows = json.loads(hub_page(f"/api/v1/challenges/{challenge.slug}/leaderboard/"))["results"]
    assert (rows[0]["participant"], rows[0]["score"]) == (username, pytest.approx(score))
    page = hub_page(f"/challenges/{challenge.slug}/leaderboard/")
    assert f'href="/users/{username}/">{username}</a>' in page  # the row names the learner, linked to their profile
    assert f"{score:.5f}" in page


def test_a_learner_works_through_a_challenge_with_the_evalai_cli(evalai, hub, learner):
    public_score = expected_scores(40, correct=30)[0]
    (evalai.work / "predictions.csv").write_bytes(predictions_csv(40, correct=30))

    assert hub.title in evalai("challenges")
    assert hub.title in evalai("challenges", "ongoing")
    assert "A tiny test problem." in evalai("challenge", str(hub.pk))
    assert "Test set" in evalai("challenge", str(hub.pk), "phases")
    assert "Maximum Submissions per day : 10" in evalai("challenge", str(hub.pk), "phase", str(hub.pk))
    splits = evalai("challenge", str(hub.pk), "phase", str(hub.pk), "splits")
    assert re.search(rf"\|\s+{hub.pk}1\s+\|\s+Public\s+\|", splits)
    assert "Private" not in splits  # hidden until the challenge ends

    submitted = evalai(
        "challenge", str(hub.pk), "phase", str(hub.pk), "submit", "--file", "predictions.csv",
        answers="y\nLogistic regression\nscaled features\n\n\n",
    )  # fmt: skip
    submission_id = int(re.search(r"with the ID (\d+) is successfully submitted", submitted).group(1))
    submission = scored_in_the_end(submission_id)

    assert submission.description == "Logistic regression: scaled features"
    assert "Submission Status : finished" in evalai("submission", str(submission_id))
    result = json.loads(evalai("submission", str(submission_id), "result"))
    assert result["scores"]["public"]["Accuracy"] == pytest.approx(public_score)
    listed = evalai("challenge", str(hub.pk), "phase", str(hub.pk), "submissions")
    assert re.search(rf"\|\s+{submission_id}\s+\|\s+ada\s+\|.*\|\s+finished\s+\|", listed)
    board = evalai("challenge", str(hub.pk), "leaderboard", f"{hub.pk}1")
    assert re.search(rf"\|\s+1\s+\|\s+ada\s+\|\s+{public_score}\s+\|", board), board
    assert_the_hub_shows(hub, learner.username, public_score)


def test_a_learner_works_through_a_challenge_with_the_kaggle_cli(kaggle, hub, learner):
    public_score = expected_scores(40, correct=24)[0]
    (kaggle.work / "predictions.csv").write_bytes(predictions_csv(40, correct=24))

    assert re.search(
        rf"^{hub.slug}\s+None\s+Beginner\s+Knowledge\s+0\s+False", kaggle("competitions", "list"), re.M
    )
    files = kaggle("competitions", "files", "-c", hub.slug)
    for data_file in hub.dataset.files.all():
        assert re.search(rf"^{data_file.name}\s+{data_file.size}\s", files, re.M)

    kaggle("competitions", "download", "-c", hub.slug)
    kaggle("competitions", "download", "-c", hub.slug, "-f", "test.csv")
    with zipfile.ZipFile(kaggle.work / f"{hub.slug}.zip") as archive:
        assert sorted(archive.namelist()) == ["sample_submission.csv", "test.csv", "train.csv"]
        test_csv = archive.read("test.csv")
    assert (kaggle.work / "test.csv").read_bytes() == test_csv

    submitted = kaggle(
        "competitions", "submit", "-c", hub.slug, "-f", "predictions.csv", "-m", "first try", "--wait", "120"
    )  # fmt: skip
    submission_id = int(re.search(r"Submission ref: (\d+)", submitted).group(1))
    assert "9 submissions remaining today." in submitted
    assert f"Submission scored. Public score: {public_score:.5f}" in submitted
    scored_in_the_end(submission_id)
    limits = kaggle("competitions", "submission-limits", "-c", hub.slug)
    assert "Submissions today: 1" in limits and "Remaining today: 9" in limits

    listed = kaggle("competitions", "submissions", "-c", hub.slug)
    assert re.search(
        rf"^\s*{submission_id}\s+predictions.csv\s+\S+ \S+\s+first try\s+\S+COMPLETE\s+{public_score:.5f}",
        listed,
        re.M,
    )
    board = kaggle("competitions", "leaderboard", "-c", hub.slug, "--show")
    team_id = Submission.objects.filter(user=learner).values_list("participant_id", flat=True).first()
    assert re.search(rf"^\s*{team_id}\s+ada\s+\S+ \S+\s+{public_score:.5f}", board, re.M)  # the real team
    kaggle("competitions", "leaderboard", "-c", hub.slug, "--download", "-p", "board")
    with zipfile.ZipFile(kaggle.work / "board" / f"{hub.slug}.zip") as archive:
        lines = archive.read(f"{hub.slug}-publicleaderboard.csv").decode().splitlines()
    assert lines[1].split(",")[1:3] + lines[1].split(",")[4:5] == [
        str(team_id),
        "ada",
        f"{public_score:.5f}",
    ]
    assert_the_hub_shows(hub, learner.username, public_score)


def test_the_evalai_cli_prints_the_hubs_reasons_for_refusing(evalai, evalai_bin, hub, learner, tmp_path):
    stranger = Cli(evalai_bin, tmp_path / "stranger")
    stranger("host", "-sh", HUB)
    stranger("set_token", "not-a-token")
    (evalai.work / "predictions.csv").write_bytes(predictions_csv(40, correct=20))
    hub.daily_limit = 1
    hub.save(update_fields=["daily_limit"])
    scored_in_the_end(
        submission_create(user=learner, challenge=hub, file=upload(predictions_csv(40, correct=9))).pk
    )

    assert "This token is not an API token of this hub" in stranger("challenges", ok=False)
    assert "run: evalai set_token" in stranger("challenge", str(hub.pk), ok=False)
    assert "There is no challenge 999." in evalai("challenge", "999", ok=False)
    refused = evalai(
        "challenge", str(hub.pk), "phase", str(hub.pk), "submit", "--file", "predictions.csv", answers="N\n", ok=False
    )  # fmt: skip
    assert "Error: You have used your 1 submissions for today." in refused
    assert Submission.objects.count() == 1


def test_the_kaggle_cli_prints_the_hubs_reasons_for_refusing(kaggle, kaggle_bin, hub, learner, tmp_path):
    config = tmp_path / "stranger-config"
    config.mkdir()
    (config / "kaggle.json").write_text(json.dumps({"username": "ada", "key": "not-a-key"}))
    stranger = Cli(
        kaggle_bin, tmp_path / "stranger", KAGGLE_API_ENVIRONMENT="LOCALHOST", KAGGLE_CONFIG_DIR=str(config)
    )
    (kaggle.work / "predictions.csv").write_bytes(predictions_csv(40, correct=20))
    (kaggle.work / "empty.csv").write_bytes(b"")
    hub.daily_limit = 1
    hub.save(update_fields=["daily_limit"])

    assert "The key in kaggle.json is not an API token of this hub" in stranger(
        "competitions", "list", ok=False
    )
    assert "There is no challenge 'nope'." in kaggle("competitions", "files", "-c", "nope", ok=False)
    assert "The file is empty." in kaggle(
        "competitions", "submit", "-c", hub.slug, "-f", "empty.csv", "-m", "x", ok=False
    )
    accepted = kaggle("competitions", "submit", "-c", hub.slug, "-f", "predictions.csv", "-m", "one")
    refused = kaggle("competitions", "submit", "-c", hub.slug, "-f", "predictions.csv", "-m", "two", ok=False)
    assert "You have used your 1 submissions for today." in refused
    scored_in_the_end(int(re.search(r"Submission ref: (\d+)", accepted).group(1)))
    assert Submission.objects.count() == 1
