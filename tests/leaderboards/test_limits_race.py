"""The limit holds under real concurrency: simultaneous HTTP uploads against a real threaded web server.

On PostgreSQL (.ci/run) this is the test of participant_lock: without the row lock it accepts 15 of 50. On
SQLite the hub's IMMEDIATE transactions already run writers one at a time, and the test shows that the embedded
default holds the limit as well.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from rest_framework.authtoken.models import Token

from submissions.models import Participant, Submission
from tests.bundles import predictions_csv

pytestmark = [pytest.mark.slow]

UPLOADS = 50


class _WideBacklogServer(ThreadedWSGIServer):
    # Django's default listen backlog (10) would make the kernel drop most of 50 simultaneous connects and the
    # clients retry a second later, so the uploads would no longer arrive together.
    request_queue_size = 128


class _ServerThread(LiveServerThread):
    server_class = _WideBacklogServer


@pytest.fixture
def web_server(transactional_db):
    """Django's threaded WSGI server on this test's database: every request is served on its own thread with
    its own database connection, as in production."""
    thread = _ServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def test_fifty_simultaneous_uploads_against_a_daily_limit_of_five_accept_exactly_five(
    web_server, make_challenge, user
):
    challenge = make_challenge(daily_limit=5)
    token = Token.objects.create(user=user).key
    content = predictions_csv(20, correct=10)
    start = threading.Barrier(UPLOADS)

    def upload(n: int) -> httpx.Response:
        with httpx.Client(base_url=web_server, timeout=120) as client:
            start.wait()
            return client.post(
                f"/api/v1/challenges/{challenge.slug}/submissions/",
                headers={"Authorization": f"Token {token}"},
                files={"file": (f"try-{n}.csv", content, "text/csv")},
            )

    with ThreadPoolExecutor(UPLOADS) as pool:
        responses = list(pool.map(upload, range(UPLOADS)))

    assert Counter(response.status_code for response in responses) == {201: 5, 429: 45}
    [refusal] = {response.json()["error"] for response in responses if response.status_code == 429}
    assert refusal.startswith("You have used your 5 submissions for today.")
    assert Submission.objects.filter(challenge=challenge, user=user).count() == 5
    assert Participant.objects.filter(challenge=challenge, user=user).count() == 1
