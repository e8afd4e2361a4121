"""`hub submit` streams the file from disk through httpx's multipart encoder, with its length declared."""

import os

import httpx

from hub_cli.transfer import ProgressFile

CHUNK = 64 * 1024  # httpx's multipart read size


def test_an_upload_is_read_in_chunks_while_it_is_sent_and_its_length_is_declared_up_front(tmp_path):
    path = tmp_path / "predictions.csv"
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    reads: list[int] = []
    with ProgressFile(path, on_read=reads.append) as handle:
        request = httpx.Request(
            "POST",
            "http://hub.test/api/v1/challenges/x/submissions/",
            data={"description": "first try"},
            files={"file": (path.name, handle, "application/octet-stream")},
        )
        assert reads == []  # building the request reads nothing
        assert "transfer-encoding" not in request.headers
        declared = int(request.headers["content-length"])
        largest = sent = 0
        for piece in request.stream:
            sent += len(piece)
            largest = max(largest, len(piece))
    assert sent == declared > path.stat().st_size
    assert largest <= CHUNK and max(reads) <= CHUNK
    assert sum(reads) == path.stat().st_size
