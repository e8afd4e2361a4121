"""Every CSV the hub writes goes through one spreadsheet-safe writer (hub/spreadsheets.py): a participant named
like a formula is text in every export, on every board, and no code writes CSV around that writer."""

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from hub.spreadsheets import FORMULA_STARTS, spreadsheet_safe
from projects.services import challenge_reveal_private
from tests.compat.conftest import basic
from tests.factories import UserFactory
from tests.scored import scored

ROOT = Path(__file__).resolve().parents[2]
FORMULA_NAMES = ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("x","y")']
# A cell that is only a number is read as that number by a spreadsheet, never as a formula.
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def rest_export(challenge, split: str) -> list[list[str]]:
    response = APIClient().get(f"/api/v1/challenges/{challenge.slug}/leaderboard/csv/", {"split": split})
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def kaggle_download(challenge, split: str) -> list[list[str]]:
    user = UserFactory()
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(user.username, Token.objects.create(user=user).key))
    response = client.post(
        "/api/v1/competitions.CompetitionApiService/DownloadLeaderboard",
        {"competitionName": challenge.slug},
        format="json",
    )
    assert response.status_code == 200, response.content
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    (name,) = archive.namelist()
    assert name.endswith(f"{split}leaderboard.csv")
    return list(csv.reader(io.StringIO(archive.read(name).decode(), newline="")))


# Every CSV export of the hub; a new one is added here (the test below finds writers that are not).
EXPORTS = {"REST leaderboard export": rest_export, "Kaggle DownloadLeaderboard": kaggle_download}


@pytest.mark.django_db
@pytest.mark.parametrize("split", ["public", "private"])
@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_every_cell_of_every_csv_export_is_neutralised(make_challenge, export, split):
    challenge = make_challenge()
    for number, name in enumerate(FORMULA_NAMES):
        scored(challenge, UserFactory(username=name), correct=5 + number)
    if split == "private":
        challenge_reveal_private(challenge=challenge)

    rows = EXPORTS[export](challenge, split)

    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == len(FORMULA_NAMES) + 1
    dangerous = [c for c in cells if c.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(c)]
    assert dangerous == []
    assert {"'" + name for name in FORMULA_NAMES} <= set(cells)


def test_the_writer_keeps_numbers_and_plain_text_and_neutralises_formulas():
    assert [spreadsheet_safe(v) for v in (-1.25, 3, "-1.25000", "+2", "ada", "a=b")] == [
        -1.25,
        3,
        "-1.25000",
        "+2",
        "ada",
        "a=b",
    ]
    assert [spreadsheet_safe(v) for v in FORMULA_NAMES] == ["'" + v for v in FORMULA_NAMES]


def test_no_code_writes_csv_except_through_the_one_writer():
    """csv.writer / DictWriter, pandas' to_csv and pyarrow's write_csv appear only in hub/spreadsheets.py, and in
    code that writes files no learner's text goes into (challenge bundles and the built-in challenges' data)."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\.to_csv\(|write_csv\(")
    allowed = {
        "hub/spreadsheets.py",  # the writer
        "projects/bundles.py",  # a challenge's solution file, rewritten from the host's own bundle
    }
    found = set()
    for folder in ("hub", "projects", "submissions", "compat", "workers", "hub_cli"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            # Generators of the built-in challenges' data and their starter kits: no participant's text.
            if relative.startswith("projects/builtin/"):
                continue
            if writers.search(path.read_text()):
                found.add(relative)
    assert found <= allowed, sorted(found - allowed)
