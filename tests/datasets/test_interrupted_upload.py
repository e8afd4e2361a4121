"""An upload cut off before its end leaves nothing: no dataset, no blob, no stored byte. Against a live server,
over a raw socket, because a test client always sends whole bodies."""

import socket
import time
from urllib.parse import urlsplit

import pytest
from rest_framework.authtoken.models import Token

from projects.models import Blob, Dataset

from .conftest import stored_files

pytestmark = pytest.mark.django_db(transaction=True)


def _multipart(boundary: str, fields: dict[str, str], name: str, content: bytes) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts)


def test_an_upload_cut_off_midway_stores_nothing(live_server, user):
    token = Token.objects.create(user=user).key
    boundary = "cut-off-boundary"
    body = _multipart(
        boundary, {"slug": "cut", "title": "Cut", "licence": "MIT"}, "train.csv", b"a,b\n" * 200_000
    )
    address = urlsplit(live_server.url)
    head = (
        f"POST /api/v1/datasets/ HTTP/1.1\r\nHost: {address.hostname}\r\nAuthorization: Token {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(head + body[: len(body) // 2])
        connection.shutdown(socket.SHUT_WR)  # the client goes away halfway through the file
        answer = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert b" 400 " in answer.split(b"\r\n", 1)[0], answer[:300]
    assert b"broke off" in answer
    assert not Dataset.objects.exists() and not Blob.objects.exists()
    assert not [name for name in stored_files() if name.startswith("blobs/")]
