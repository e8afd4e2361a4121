"""The leaderboard and submission pages read fully without JavaScript; their live parts are fragments htmx polls."""

import re

import pytest

from submissions import views as submissions_views
from submissions.models import Submission
from tests.factories import UserFactory
from tests.scored import scored

pytestmark = pytest.mark.django_db


def test_the_board_is_in_the_page_itself_best_first(client, challenge):
    scored(challenge, UserFactory(username="ada"), correct=18)
    scored(challenge, UserFactory(username="grace"), correct=12)

    html = client.get(f"/challenges/{challenge.slug}/leaderboard/").content.decode()

    assert html.index(">ada<") < html.index(">grace<")
    assert 'hx-trigger="every 5s [!document.hidden]"' in html


def test_a_learner_far_down_the_board_sees_their_rank_and_their_row_pinned(client, challenge, monkeypatch):
    monkeypatch.setattr(submissions_views, "PAGE_SIZE", 3)
    for index in range(6):
        scored(challenge, UserFactory(), correct=20 - index)
    last = UserFactory(username="last")
    scored(challenge, last, correct=1)
    client.force_login(last)

    html = client.get(f"/challenges/{challenge.slug}/leaderboard/").content.decode()

    assert re.search(r"Your rank <strong>7</strong>", html)
    assert 'class="me pinned"' in html
    assert "10 submissions left today" not in html and "9 submissions left today" in html


def test_a_bad_page_number_or_a_hidden_private_board_falls_back_instead_of_failing(client, challenge):
    scored(challenge, UserFactory(username="ada"), correct=18)

    for query in ("page=abc", "page=0", "page=999", "split=private", "split=nonsense"):
        response = client.get(f"/challenges/{challenge.slug}/leaderboard/?{query}")
        assert response.status_code == 200, query
        assert "Public leaderboard" in response.content.decode() and ">ada<" in response.content.decode()


def test_the_live_part_is_a_fragment_that_keeps_the_page_and_split(client, challenge, monkeypatch):
    monkeypatch.setattr(submissions_views, "PAGE_SIZE", 1)
    scored(challenge, UserFactory(username="ada"), correct=18)
    scored(challenge, UserFactory(username="grace"), correct=12)

    html = client.get(f"/challenges/{challenge.slug}/leaderboard/board/?page=2").content.decode()

    assert html.startswith('<div id="board"') and "<html" not in html
    assert ">grace<" in html and ">ada<" not in html
    assert "board/?split=public&amp;page=2" in html


def test_the_submission_page_polls_until_the_submission_is_final(client, user, challenge):
    queued = scored(challenge, user, correct=10)
    Submission.objects.filter(pk=queued.pk).update(status=Submission.Status.QUEUED)
    client.force_login(user)

    waiting = client.get(f"/submissions/{queued.pk}/").content.decode()
    Submission.objects.filter(pk=queued.pk).update(status=Submission.Status.SCORED)
    done = client.get(f"/submissions/{queued.pk}/status/").content.decode()

    assert f'hx-get="/submissions/{queued.pk}/status/"' in waiting
    assert '<noscript><meta http-equiv="refresh"' in waiting
    assert "hx-get" not in done and 'id="public-score"' in done


def test_the_submission_page_shows_the_file_its_checksum_scores_and_time_taken(client, user, challenge):
    submission = scored(challenge, user, correct=14)
    client.force_login(user)

    html = client.get(f"/submissions/{submission.pk}/").content.decode()

    for expected in (
        submission.original_name,
        submission.sha256,
        f"{submission.public_score:.5f}",
        "to score",
    ):
        assert expected in html
    assert "Private score" not in html  # hidden until the challenge ends


def test_someone_elses_submission_does_not_exist_for_you(client, challenge, user, other_user):
    submission = scored(challenge, other_user, correct=10)
    client.force_login(user)

    assert client.get(f"/submissions/{submission.pk}/").status_code == 404
    assert client.get(f"/submissions/{submission.pk}/status/").status_code == 404


def test_my_submissions_polls_only_while_one_is_being_scored(client, user, challenge):
    submission = scored(challenge, user, correct=10)
    client.force_login(user)
    address = f"/challenges/{challenge.slug}/submissions/table/"

    idle = client.get(address).content.decode()
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RUNNING)
    busy = client.get(address).content.decode()

    assert "hx-get" not in idle and f'hx-get="{address}"' in busy


def test_a_finished_submission_under_the_form_updates_the_count_left_today(client, user, challenge):
    submission = scored(challenge, user, correct=10)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.FAILED, error="bad")
    client.force_login(user)

    embedded = client.get(f"/submissions/{submission.pk}/status/?embedded=1").content.decode()
    alone = client.get(f"/submissions/{submission.pk}/status/").content.decode()

    assert '<span class="limits" id="remaining-today" hx-swap-oob="true">10 of 10</span>' in embedded
    assert "remaining-today" not in alone
