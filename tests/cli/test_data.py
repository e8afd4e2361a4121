"""hub challenges / files / download: listing, filtering, resumable downloads verified against their sha256."""

import hashlib
import io
import zipfile

import pytest

from projects.services import challenge_import_bundle
from tests.bundles import write_bundle

pytestmark = [pytest.mark.slow]


def test_challenges_are_listed_and_filtered_by_level(run_hub, make_challenge):
    make_challenge(slug="easy")
    make_challenge(slug="hard", level="advanced")

    everything = run_hub("challenges", "--json")
    advanced = run_hub("challenges", "--level", "advanced")

    assert {c["slug"] for c in everything.json()} == {"easy", "hard"}
    assert advanced.code == 0, advanced.stderr
    assert "hard" in advanced.stdout and "easy" not in advanced.stdout
    wrong = run_hub("challenges", "--level", "expert")
    assert wrong.code == 2 and "expert" in wrong.stderr


def test_files_lists_names_sizes_and_checksums(run_hub, challenge):
    listed = run_hub("files", challenge.slug, "--json").json()
    human = run_hub("files", challenge.slug)

    assert [f["name"] for f in listed] == ["train.csv", "test.csv", "sample_submission.csv"]
    assert all(len(f["sha256"]) == 64 for f in listed)
    assert "sample_submission.csv" in human.stdout


def test_an_unknown_challenge_is_named_in_the_error(run_hub):
    for command in (
        ["files", "no-such-thing"],
        ["download", "no-such-thing"],
        ["leaderboard", "no-such-thing"],
    ):
        result = run_hub(*command)
        assert result.code == 1, result.stderr
        assert "There is no challenge 'no-such-thing'" in result.stderr


def test_download_saves_every_file_verified_and_a_second_run_finds_them_up_to_date(
    run_hub, challenge, tmp_path
):
    first = run_hub("download", challenge.slug, "--to", "data", "--json")
    second = run_hub("download", challenge.slug, "--to", "data")

    assert first.code == 0, first.stderr
    for item in first.json():
        content = (tmp_path / "data" / item["name"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == item["sha256"]
        assert item["status"] == "downloaded"
    assert second.stdout.count("already up to date") == 3
    assert not list((tmp_path / "data").glob("*.part"))


def test_an_interrupted_download_resumes_where_it_stopped(run_hub, challenge, tmp_path):
    data_file = challenge.dataset.files.get(name="test.csv")
    content = data_file.file.open("rb").read()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test.csv.part").write_bytes(content[:50])

    result = run_hub("download", challenge.slug, "test.csv", "--to", "data", "--json")

    assert result.code == 0, result.stderr
    [item] = result.json()
    assert (item["status"], item["resumed_from"]) == ("resumed", 50)
    assert (tmp_path / "data" / "test.csv").read_bytes() == content


def test_a_partial_file_that_is_not_a_prefix_of_the_file_is_replaced_by_a_whole_download(
    run_hub, challenge, tmp_path
):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test.csv.part").write_bytes(b"id,stale\n" * 3)

    result = run_hub("download", challenge.slug, "test.csv", "--to", "data", "--json")

    assert result.code == 0, result.stderr
    assert result.json()[0]["status"] == "downloaded"
    data_file = challenge.dataset.files.get(name="test.csv")
    assert (tmp_path / "data" / "test.csv").read_bytes() == data_file.file.open("rb").read()


def test_download_of_an_unknown_file_lists_the_files_there_are(run_hub, challenge):
    result = run_hub("download", challenge.slug, "answers.csv")
    assert result.code == 1
    assert "has no file 'answers.csv'" in result.stderr and "train.csv, test.csv" in result.stderr


def test_download_unzip_extracts_an_archive_next_to_it(run_hub, tmp_path, transactional_db):
    bundle = write_bundle(tmp_path / "bundle", slug="zipped")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("images/1.txt", "one")
        zipped.writestr("images/2.txt", "two")
    (bundle / "data" / "images.zip").write_bytes(archive.getvalue())
    manifest = (bundle / "challenge.yaml").read_text()
    (bundle / "challenge.yaml").write_text(
        manifest.replace(
            "  kind: sample_submission\n",
            "  kind: sample_submission\n- path: data/images.zip\n  kind: images\n",
        )
    )
    challenge_import_bundle(bundle)

    result = run_hub("download", "zipped", "images.zip", "--to", "data", "--unzip")

    assert result.code == 0, result.stderr
    assert (tmp_path / "data" / "images" / "2.txt").read_text() == "two"
    assert "unzipped into" in result.stdout
