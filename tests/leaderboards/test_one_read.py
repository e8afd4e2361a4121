"""Every caller reads a board through the leaderboard package's one read: the pages, the REST API, EvalAI, Kaggle
and both CSV downloads. None pages a board itself, queries the entries itself or decides a metric's direction.

The static half reads each caller's source; the live half asks every caller for a board and checks that each
answer was built by the one paging function (or the one CSV export) and by nothing else.
"""

import ast
import base64
import inspect
import io
import zipfile
from collections.abc import Iterator

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

import compat.evalai
import compat.evalai_serializers
import compat.kaggle
import compat.kaggle_serializers
import hub.views
import projects.api
import projects.views
import submissions.api
import submissions.views
from submissions.leaderboard import reads

from .conftest import baseline, scored

CALLERS = [
    submissions.views,
    submissions.api,
    projects.views,
    projects.api,
    hub.views,
    compat.evalai,
    compat.evalai_serializers,
    compat.kaggle,
    compat.kaggle_serializers,
]
BOARD_READS = {"leaderboard_page", "leaderboard_csv", "leaderboard_all_rows"}
HAND_PAGING = {"page_window", "Paginator", "paginate_queryset", "paginated", "next_page_token"}
# The functions that read a board: each protocol's board and CSV views (the page's helper holds its own page_of).
BOARD_FUNCTIONS = {
    "submissions.views": ["_board_context", "page_of"],
    "submissions.api": ["get", "get"],
    "compat.evalai": ["get"],
    "compat.kaggle": ["post", "post"],
}
# What only the package reads: the entries, the board sizes and the top score changes.
PACKAGE_MODELS = {"LeaderboardEntry", "Leaderboard", "TopScoreChange"}


def _functions(module) -> Iterator[ast.FunctionDef]:
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.FunctionDef):
            yield node


def _names(node: ast.AST) -> set[str]:
    """Every name and attribute name the code uses."""
    return {
        child.id if isinstance(child, ast.Name) else child.attr
        for child in ast.walk(node)
        if isinstance(child, ast.Name | ast.Attribute)
    }


def test_no_caller_pages_a_board_itself():
    found: dict[str, list[str]] = {}
    for module in CALLERS:
        for function in _functions(module):
            names = _names(function)
            if not names & BOARD_READS:
                continue
            found.setdefault(module.__name__, []).append(function.name)
            where = f"{module.__name__}.{function.name} (line {function.lineno})"
            assert not names & HAND_PAGING, f"{where} pages the board itself: {names & HAND_PAGING}"
            slices = [node for node in ast.walk(function) if isinstance(node, ast.Slice)]
            assert not slices, f"{where} slices rows itself"
    assert {module: sorted(functions) for module, functions in found.items()} == BOARD_FUNCTIONS


def test_no_caller_reads_the_entries_or_decides_a_direction_itself():
    for module in CALLERS:
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            where = f"{module.__name__}, line {getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                assert not (isinstance(node.value, ast.Name) and node.value.id in PACKAGE_MODELS), where
            # A metric's direction is read through submissions.leaderboard.higher_is_better(challenge) alone.
            assert not (isinstance(node, ast.Attribute) and node.attr == "higher_is_better"), where
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "order_by":
                fields = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
                assert not any("score" in str(field) for field in fields), where
            assert not (isinstance(node, ast.Name | ast.Attribute) and "sort_score" in _names(node)), where


@pytest.fixture
def board_reads(monkeypatch) -> list[str]:
    """The names of the package's row readers each request ran: the one page read and the whole-board read."""
    calls: list[str] = []
    rows, all_rows = reads._rows, reads._ranked

    def counted_rows(*args, **kwargs):
        calls.append("page")
        return rows(*args, **kwargs)

    def counted_ranked(values, rank):
        calls.append("ranked")
        return all_rows(values, rank)

    monkeypatch.setattr(reads, "_rows", counted_rows)
    monkeypatch.setattr(reads, "_ranked", counted_ranked)
    return calls


@pytest.mark.django_db
def test_every_caller_reads_its_rows_through_the_one_read(client, challenge, learners, board_reads):
    ada, bob = learners("ada", "bob")
    scored(challenge, ada, 0.9)
    scored(challenge, bob, 0.8)
    baseline(challenge, 0.85)
    key = Token.objects.create(user=ada).key
    evalai, kaggle = APIClient(), APIClient()
    evalai.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    kaggle.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"ada:{key}".encode()).decode())
    kaggle_method = "/api/v1/competitions.CompetitionApiService/"
    slug = challenge.slug

    def expect(response, reads_made: list[str]) -> None:
        assert response.status_code == 200, response.content
        if response.streaming:
            b"".join(response.streaming_content)
        assert board_reads == reads_made
        board_reads.clear()

    expect(client.get(f"/challenges/{slug}/leaderboard/"), ["page", "ranked"])
    expect(client.get(f"/challenges/{slug}/leaderboard/board/"), ["page", "ranked"])
    expect(client.get(f"/api/v1/challenges/{slug}/leaderboard/", {"page_size": 2}), ["page", "ranked"])
    expect(client.get(f"/api/v1/challenges/{slug}/leaderboard/csv/"), ["ranked"])
    expect(
        evalai.get(f"/api/jobs/challenge_phase_split/{challenge.pk * 10 + 1}/leaderboard/"),
        ["page", "ranked"],
    )
    expect(
        kaggle.post(
            f"{kaggle_method}GetLeaderboard", {"competitionName": slug, "pageSize": 2}, format="json"
        ),
        ["page", "ranked"],
    )
    downloaded = kaggle.post(f"{kaggle_method}DownloadLeaderboard", {"competitionName": slug}, format="json")
    expect(downloaded, ["ranked"])
    table = zipfile.ZipFile(io.BytesIO(downloaded.content)).read(f"{slug}-publicleaderboard.csv").decode()
    assert [line.split(",")[2] for line in table.splitlines()] == [
        "TeamName",
        "ada",
        "baseline (baseline)",
        "bob",
    ]
