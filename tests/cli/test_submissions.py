"""hub submit --wait / submissions / leaderboard / limits, with a real worker process scoring the uploads."""

import pytest

from projects.models import Challenge
from submissions.models import Submission
from tests.bundles import expected_scores, predictions_csv

pytestmark = [pytest.mark.slow]


@pytest.fixture
def predictions(tmp_path):
    def write(name: str, content: bytes):
        (tmp_path / name).write_bytes(content)
        return name

    return write


def test_submit_wait_prints_the_score_and_the_new_rank(
    run_hub, scoring_worker, challenge, token, predictions
):
    good = predictions("good.csv", predictions_csv(20, correct=15))

    result = run_hub("submit", challenge.slug, good, "-m", "first try", "--wait", token=token)

    assert result.code == 0, result.stderr + scoring_worker.output()[-3000:]
    public = expected_scores(20, correct=15)[0]
    assert f"Scored: public Accuracy {public:.6g}" in result.stdout
    assert f"Your rank on the public leaderboard: 1 (your best: {public:.6g})" in result.stdout
    assert "Uploading good.csv" in result.stderr  # the progress bar's label
    submission = Submission.objects.get()
    assert (submission.status, submission.description, submission.original_name) == (
        "scored",
        "first try",
        "good.csv",
    )


def test_submit_wait_json_gives_the_submission_and_the_rank(
    run_hub, scoring_worker, challenge, token, predictions
):
    result = run_hub(
        "submit",
        challenge.slug,
        predictions("p.csv", predictions_csv(20, correct=20)),
        "--wait",
        "--json",
        token=token,
    )

    assert result.code == 0, result.stdout
    body = result.json()
    assert body["submission"]["status"] == "scored"
    assert body["submission"]["public_score"] == pytest.approx(1.0)
    assert (body["leaderboard"]["rank"], body["leaderboard"]["participant"]) == (1, "ada")


def test_a_bad_file_prints_the_validation_message_and_exits_non_zero(
    run_hub, scoring_worker, challenge, token, predictions
):
    missing_ids = b"id,label\n" + b"".join(f"{i},a\n".encode() for i in range(1, 16))  # ids 16..20 missing

    result = run_hub("submit", challenge.slug, predictions("bad.csv", missing_ids), "--wait", token=token)

    assert result.code == 1
    assert "failed" in result.stderr
    assert "Missing 5 of 20 ids" in result.stderr
    assert "Scored" not in result.stdout


def test_an_empty_file_is_refused_with_the_hubs_message(run_hub, challenge, token, predictions):
    result = run_hub("submit", challenge.slug, predictions("empty.csv", b""), token=token)

    assert result.code == 1
    assert "The file is empty" in result.stderr
    assert not Submission.objects.exists()


def test_the_daily_limit_stops_the_next_submission_with_when_it_resets(
    run_hub, make_challenge, token, predictions
):
    challenge = make_challenge(slug="once", daily_limit=1)
    path = predictions("p.csv", predictions_csv(20, correct=10))
    assert run_hub("submit", challenge.slug, path, token=token).code == 0

    refused = run_hub("submit", challenge.slug, path, token=token)
    limits = run_hub("limits", challenge.slug, token=token)

    assert refused.code == 1
    assert "You have used your 1 submissions for today" in refused.stderr
    assert "resets at 00:00 UTC" in refused.stderr
    assert Submission.objects.count() == 1
    assert "Today: 1 of 1 used, 0 left" in limits.stdout
    assert run_hub("limits", challenge.slug, "--json", token=token).json()["remaining_today"] == 0


def test_a_file_over_the_challenges_limit_is_refused_before_it_is_sent(
    run_hub, make_challenge, token, predictions
):
    challenge = make_challenge(slug="small")
    Challenge.objects.filter(pk=challenge.pk).update(max_upload_bytes=50)

    result = run_hub(
        "submit", challenge.slug, predictions("big.csv", predictions_csv(20, correct=10)), token=token
    )

    assert result.code == 1
    assert "takes at most 50 bytes" in result.stderr
    assert not Submission.objects.exists()


def test_submissions_leaderboard_and_limits_show_the_learners_standing(
    run_hub, scoring_worker, challenge, token, predictions
):
    run_hub(
        "submit", challenge.slug, predictions("a.csv", predictions_csv(20, correct=10)), "--wait", token=token
    )
    run_hub(
        "submit",
        challenge.slug,
        predictions("b.csv", predictions_csv(20, correct=18)),
        "-m",
        "better",
        "--wait",
        token=token,
    )

    mine = run_hub("submissions", challenge.slug, "--json", token=token).json()
    table = run_hub("submissions", challenge.slug, token=token)
    board = run_hub("leaderboard", challenge.slug, "--top", "5", "--json").json()
    board_table = run_hub("leaderboard", challenge.slug)
    hidden = run_hub("leaderboard", challenge.slug, "--split", "private")
    limits = run_hub("limits", challenge.slug, "--json", token=token).json()

    assert [s["original_name"] for s in mine] == ["b.csv", "a.csv"]
    assert "better" in table.stdout
    assert [(row["rank"], row["participant"], row["entries"]) for row in board["results"]] == [(1, "ada", 2)]
    assert board["results"][0]["score"] == pytest.approx(expected_scores(20, correct=18)[0])
    assert "ada" in board_table.stdout and "1 on the board" in board_table.stdout
    assert hidden.code == 1 and "private leaderboard is hidden" in hidden.stderr
    assert (limits["used_today"], limits["remaining_today"]) == (2, 8)


def test_submitting_to_an_unknown_challenge_names_it(run_hub, token, predictions, transactional_db):
    result = run_hub("submit", "no-such-thing", predictions("p.csv", b"id,label\n1,a\n"), token=token)
    assert result.code == 1
    assert "There is no challenge 'no-such-thing'" in result.stderr
