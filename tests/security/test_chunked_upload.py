"""Uploads sent with Transfer-Encoding: chunked and no Content-Length, through a real gunicorn: one over the limit is
refused with a 413 saying the file is over it (Django alone answered "No file was submitted"), after reading no
more than the limit; one under it is taken like any other. The client stops sending once the server answers, and
sends at most 200 MiB, so the test is bounded in bytes and in time."""

import http.client
import select
import time

import pytest
from rest_framework.authtoken.models import Token

from submissions.models import Submission
from tests.bundles import predictions_csv
from tests.factories import UserFactory
from tests.faults.servers import free_port
from tests.processes import WebServer

pytestmark = [pytest.mark.slow]

BOUNDARY = "hub-chunked-test"
MiB = 1024 * 1024


@pytest.fixture
def web(transactional_db, tmp_path):
    server = WebServer(tmp_path, port=free_port(), workers=1)
    try:
        yield server.start()
    finally:
        server.stop()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def send_chunked(url: str, path: str, token: str, file: bytes, *, repeat: int = 1, seconds: float = 120):
    """POST a multipart upload of `file` repeated `repeat` times, chunked; stop as soon as the server answers."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.putrequest("POST", path)
    connection.putheader("Authorization", f"Token {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="predictions.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    parts = [head, *([file] * repeat), f"\r\n--{BOUNDARY}--\r\n".encode()]
    deadline = time.monotonic() + seconds
    sent = 0
    for part in parts:
        if select.select([connection.sock], [], [], 0)[0] or time.monotonic() > deadline:
            break  # the server has answered (or the time is up): stop sending
        connection.send(_chunk(part))
        sent += len(part)
    else:
        connection.send(b"0\r\n\r\n")
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body, sent


def test_a_chunked_upload_over_the_limit_is_a_413_saying_so(web, make_challenge):
    challenge = make_challenge(slug="small", max_upload_mb=1)
    token = Token.objects.create(user=UserFactory()).key
    status, body, sent = send_chunked(
        web.url, f"/api/v1/challenges/{challenge.slug}/submissions/", token, b"1,a\n" * (MiB // 4), repeat=200
    )
    assert status == 413, body
    assert "this challenge takes files of at most 1.0 MB" in body
    assert "No file was submitted" not in body
    assert sent < 200 * MiB  # the answer came before the whole body was sent
    assert not Submission.objects.exists()


def test_a_chunked_upload_under_the_limit_is_taken(web, make_challenge):
    challenge = make_challenge(slug="small", max_upload_mb=1)
    user = UserFactory()
    token = Token.objects.create(user=user).key
    status, body, _ = send_chunked(
        web.url, f"/api/v1/challenges/{challenge.slug}/submissions/", token, predictions_csv(20, correct=10)
    )
    assert status == 201, body
    assert Submission.objects.get().user == user
