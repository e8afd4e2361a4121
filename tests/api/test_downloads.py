"""Downloads stream, resume with Range, and revalidate with ETag (the file's sha256) and Last-Modified."""

import pytest
from django.utils.http import http_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def test_csv(challenge):
    data_file = challenge.dataset.files.get(name="test.csv")
    with data_file.file.open("rb") as handle:
        content = handle.read()
    return data_file, content, f"/challenges/{challenge.slug}/files/test.csv"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_download_streams_with_its_length_etag_and_last_modified(client, test_csv):
    data_file, content, url = test_csv

    response = client.get(url)

    assert response.status_code == 200
    assert response.streaming
    assert body(response) == content
    assert response["Content-Length"] == str(len(content)) == str(data_file.size)
    assert response["ETag"] == f'"{data_file.sha256}"'
    assert response["Last-Modified"] == http_date(data_file.updated_at.timestamp())
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"] == 'attachment; filename="test.csv"'


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [("bytes=0-9", 0, 10), ("bytes=10-", 10, None), ("bytes=-7", -7, None), ("bytes=5-100000", 5, None)],
)
def test_a_range_gets_just_those_bytes(client, test_csv, header, start, stop):
    _, content, url = test_csv
    expected = content[start:stop]

    response = client.get(url, HTTP_RANGE=header)

    assert response.status_code == 206
    assert body(response) == expected
    assert response["Content-Length"] == str(len(expected))
    first = start if start >= 0 else len(content) + start
    assert response["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(content)}"


def test_a_range_past_the_end_is_416_with_the_size(client, test_csv):
    _, content, url = test_csv
    response = client.get(url, HTTP_RANGE=f"bytes={len(content)}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(content)}"


@pytest.mark.parametrize("header", ["bytes=0-1,4-5", "bytes=abc", "lines=1-2"])
def test_several_or_unreadable_ranges_get_the_whole_file(client, test_csv, header):
    _, content, url = test_csv
    response = client.get(url, HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == content


def test_if_range_resumes_only_the_same_version(client, test_csv):
    data_file, content, url = test_csv

    same = client.get(url, HTTP_RANGE="bytes=10-", HTTP_IF_RANGE=f'"{data_file.sha256}"')
    changed = client.get(url, HTTP_RANGE="bytes=10-", HTTP_IF_RANGE='"an-older-version"')
    by_date = client.get(
        url, HTTP_RANGE="bytes=10-", HTTP_IF_RANGE=http_date(data_file.updated_at.timestamp())
    )

    assert (same.status_code, body(same)) == (206, content[10:])
    assert (changed.status_code, body(changed)) == (200, content)
    assert by_date.status_code == 206


def test_a_cached_copy_is_revalidated_without_sending_the_file(client, test_csv):
    data_file, _, url = test_csv

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=f'"{data_file.sha256}"')
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(data_file.updated_at.timestamp()))

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag["ETag"] == f'"{data_file.sha256}"'


def test_head_answers_the_headers_without_the_body(client, test_csv):
    data_file, content, url = test_csv
    response = client.head(url)
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(content))
    assert response.content == b""


def test_a_download_is_one_query(client, test_csv, django_assert_max_num_queries):
    _, _, url = test_csv
    with django_assert_max_num_queries(2):  # the challenge, then its file
        assert client.get(url).status_code == 200
