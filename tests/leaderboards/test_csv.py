"""The leaderboard as CSV: every row in rank order, and nothing a spreadsheet would run as a formula."""

import csv
import io

import pytest

from hub.spreadsheets import spreadsheet_safe

from .conftest import baseline, scored

pytestmark = pytest.mark.django_db


def download(client, challenge, **params):
    response = client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/csv/", params)
    assert response.status_code == 200, response.content
    return response, list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_holds_every_row_in_rank_order_with_baselines_unranked(api_client, challenge, learners):
    people = learners(*[f"learner_{n}" for n in range(5)])
    for person, score in zip(people, [0.9, 0.8, 0.7, 0.6, 0.5], strict=True):
        scored(challenge, person, score)
    baseline(challenge, 0.65)

    response, rows = download(api_client, challenge)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="{challenge.slug}-public-leaderboard.csv"'
    )
    assert rows[0] == ["rank", "participant", "score", "entries", "submitted_at", "is_baseline"]
    assert [row[:3] + row[5:] for row in rows[1:]] == [
        ["1", "learner_0", "0.9", "no"],
        ["2", "learner_1", "0.8", "no"],
        ["3", "learner_2", "0.7", "no"],
        ["", "baseline", "0.65", "yes"],
        ["4", "learner_3", "0.6", "no"],
        ["5", "learner_4", "0.5", "no"],
    ]


@pytest.mark.parametrize("username", ["=HYPERLINK(1)", "+cmd", "-2+3", "@SUM(A1)"])
def test_usernames_that_look_like_formulas_get_a_leading_apostrophe(
    api_client, challenge, learners, username
):
    (learner,) = learners(username)
    scored(challenge, learner, 0.5)

    _, rows = download(api_client, challenge)

    assert rows[1][1] == "'" + username


def test_negative_scores_stay_numbers(api_client, challenge, user):
    challenge.metric = "r2"
    challenge.save(update_fields=["metric"])
    scored(challenge, user, -1.25)

    _, rows = download(api_client, challenge)

    assert rows[1][2] == "-1.25"


def test_only_text_is_neutralised():
    assert [spreadsheet_safe(value) for value in ("=1", "\tx", "plain", -3.5, -2, None)] == [
        "'=1",
        "'\tx",
        "plain",
        -3.5,
        -2,
        None,
    ]


def test_the_private_csv_is_refused_while_the_board_is_hidden(api_client, challenge, user):
    scored(challenge, user, 0.5, 0.25)
    response = api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/csv/", {"split": "private"})
    assert response.status_code == 403

    challenge.private_revealed = True
    challenge.save(update_fields=["private_revealed"])
    _, rows = download(api_client, challenge, split="private")
    assert rows[1][:3] == ["1", user.username, "0.25"]


def test_the_download_takes_the_same_queries_for_any_board_size(
    api_client, challenge, learners, django_assert_num_queries
):
    for position, person in enumerate(learners(*[f"row{n}" for n in range(30)])):
        scored(challenge, person, position / 100)

    with django_assert_num_queries(2):  # the challenge, then the rows (one cursor)
        _, rows = download(api_client, challenge)

    assert len(rows) == 31
