"""The board's size is kept in its Leaderboard row, so a page reads it instead of counting every entry."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from submissions.models import Leaderboard, Participant, Submission
from submissions.services.leaderboard_jobs import leaderboard_rebuild
from submissions.services.moderation import participant_set_disqualified

from .conftest import baseline, board, finish, scored, submit

pytestmark = pytest.mark.django_db


def size(challenge, split: str = "public") -> tuple[int, int]:
    row = Leaderboard.objects.get(challenge=challenge, split=split)
    return row.rows, row.learners


def test_the_size_follows_participants_joining_and_leaving(api_client, challenge, learners):
    first, second = learners("first", "second")
    scored(challenge, first, 0.5)
    scored(challenge, first, 0.6)  # moves, does not join again
    scored(challenge, second, 0.4)
    baseline(challenge, 0.45)
    assert size(challenge) == size(challenge, "private") == (3, 2)

    participant_set_disqualified(participant=Participant.objects.get(challenge=challenge, user=second))

    assert size(challenge) == (2, 1)
    response = api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/", {"page_size": 1})
    assert response.json()["count"] == 2 and response.json()["next"]


def test_a_deletion_behind_the_hubs_back_is_corrected_by_the_next_change(challenge, learners):
    gone, stays, newcomer = learners("gone", "stays", "newcomer")
    scored(challenge, gone, 0.5)
    scored(challenge, stays, 0.6)
    gone.delete()  # the cascade removes the entry without the hub's refresh
    assert size(challenge) == (2, 2)

    scored(challenge, newcomer, 0.7)

    assert size(challenge) == (2, 2)  # stays and newcomer: recounted, not incremented


def test_rebuilding_recounts_the_boards(challenge, learners):
    (gone, stays) = learners("gone", "stays")
    scored(challenge, gone, 0.5)
    scored(challenge, stays, 0.6)
    gone.delete()

    leaderboard_rebuild(challenge=challenge)

    assert size(challenge) == size(challenge, "private") == (1, 1)


def test_an_empty_board_counts_zero(api_client, challenge):
    assert api_client.get(f"/api/v1/challenges/{challenge.slug}/leaderboard/").json()["count"] == 0
    assert board(api_client, challenge) == []


@pytest.mark.slow
def test_participants_joining_at_the_same_moment_are_all_counted(transactional_db, challenge, learners):
    """Each thread stores a first score in its own transaction at once; the recount runs under the board's lock,
    after the others committed, so none is missed."""
    scored(challenge, learners("already_there")[0], 0.05)  # the board's row exists, as on any live board
    queued = [
        submit(challenge, person, claim=True) for person in learners(*[f"joiner{n}" for n in range(12)])
    ]
    start = threading.Barrier(len(queued))

    def store(submission: Submission) -> None:
        try:
            start.wait()
            finish(submission, 0.5)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(queued)) as pool:
        list(pool.map(store, queued))

    assert size(challenge) == (13, 13)
