"""Uploads: the size limit holds while streaming, non-CSV files are refused at once, archives cannot bomb the
scorer, and the stored name is always the server's own."""

import io
import zipfile
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, encode_multipart
from hypothesis import given
from hypothesis import strategies as st

from hub.uploads import OversizedUpload, UploadLimitHandler
from submissions.models import Submission
from submissions.services.scoring import submission_score
from tests.bundles import predictions_csv
from tests.conftest import upload
from workers.scoring import SubmissionRejected, sniff

pytestmark = pytest.mark.django_db


def _post(client, slug: str, content: bytes, name: str = "predictions.csv"):
    return client.post(
        f"/api/v1/challenges/{slug}/submissions/", {"file": upload(content, name)}, format="multipart"
    )


def _stored_submission_files() -> list[str]:
    if not default_storage.exists("submissions"):
        return []
    folders, _ = default_storage.listdir("submissions")
    return [name for folder in folders for name in default_storage.listdir(f"submissions/{folder}")[1]]


@pytest.fixture
def small_challenge(make_challenge):
    challenge = make_challenge(slug="small", max_upload_mb=0.01)  # 10,485 bytes
    assert challenge.max_upload_bytes == 10485
    return challenge


def test_an_upload_over_the_limit_is_refused_with_its_size_and_nothing_is_stored(
    auth_client, small_challenge
):
    before = _stored_submission_files()
    response = _post(auth_client, small_challenge.slug, b"id,label\n" + b"1,a\n" * 50_000)  # 200 KB

    assert response.status_code == 413
    assert "this challenge takes files of at most 10.2 KB" in response.json()["error"]
    assert not Submission.objects.exists()
    assert _stored_submission_files() == before


def test_bytes_past_the_limit_never_reach_the_handlers_that_store(rf, settings):
    settings.HUB_MAX_UPLOAD_BYTES = 100_000
    body = encode_multipart(BOUNDARY, {"file": upload(b"x" * 5_000_000)})
    request = rf.post("/anywhere/", data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    handlers = [
        UploadLimitHandler(request),
        MemoryFileUploadHandler(request),
        TemporaryFileUploadHandler(request),
    ]
    parser = MultiPartParser(request.META, io.BytesIO(body), handlers)

    _, files = parser.parse()

    oversized = files["file"]
    assert isinstance(oversized, OversizedUpload)
    assert oversized.size == 5_000_000
    stored = handlers[2].file
    stored.seek(0, io.SEEK_END)
    assert stored.tell() <= 100_000  # the temporary file holds at most the limit


def test_the_web_form_refuses_an_oversized_upload_with_the_same_message(client, user, small_challenge):
    client.force_login(user)
    response = client.post(
        f"/challenges/{small_challenge.slug}/submit/", {"file": upload(b"id,label\n" + b"1,a\n" * 50_000)}
    )
    assert response.status_code == 413
    assert b"this challenge takes at most 10.2 KB" in response.content
    assert not Submission.objects.exists()


def test_an_upload_just_under_the_limit_is_taken_whole(auth_client, small_challenge):
    content = predictions_csv(20, correct=20)
    response = _post(auth_client, small_challenge.slug, content)
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.size == len(content)
    assert submission.file.open("rb").read() == content


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an old Excel (.xls) or other Office file"),
        ("id,label\n1,a\n".encode("utf-16"), "saved as UTF-16 text"),
        (b"id,label\n1,\x00\x00\x01\n", "binary, not CSV text"),
    ],
)
def test_a_file_that_is_not_a_csv_is_refused_at_upload_naming_what_it_is(
    auth_client, challenge, content, what
):
    response = _post(auth_client, challenge.slug, content, name="predictions.csv")
    assert response.status_code == 400
    assert what in response.json()["error"]
    assert not Submission.objects.exists()


def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"1,a\n" * (1024 * 256)
    parts = [compressor.compress(b"id,label\n"), *(compressor.compress(block) for _ in range(100))]
    return b"".join(parts) + compressor.flush()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("predictions.csv", b"id,label\n" + b"1,a\n" * (25 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(("make_bomb", "kind"), [(_gzip_bomb, "gzip"), (_zip_bomb, "zip")])
def test_a_compression_bomb_is_queued_then_fails_with_the_reason_without_being_unpacked(
    auth_client, challenge, make_bomb, kind
):
    bomb = make_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire, 100 MB inside
    response = _post(auth_client, challenge.slug, bomb, name=f"predictions.csv.{kind}")
    assert response.status_code == 201

    submission_score(submission_id=response.json()["id"], delivery_id="d1")

    submission = Submission.objects.get()
    assert submission.status == Submission.Status.FAILED
    assert "possible decompression bomb" in submission.error or "Uncompressed" in submission.error


@pytest.mark.parametrize(
    "client_name",
    [
        "../../etc/passwd.csv",
        "..\\..\\windows\\evil.csv",
        "/var/lib/hub/storage/x.csv",
        "pred\x07ic\x1bt\x00.csv",
    ],
)
def test_the_stored_name_is_the_servers_own_and_the_shown_name_is_a_clean_base_name(
    auth_client, challenge, client_name
):
    response = _post(auth_client, challenge.slug, predictions_csv(20, correct=20), name=client_name)

    assert response.status_code == 201, response.json()
    submission = Submission.objects.get()
    assert submission.file.name == f"submissions/{challenge.pk}/{submission.uuid}.csv"
    shown = response.json()["original_name"]
    assert shown == submission.original_name
    assert not any(ch in shown for ch in "/\\") and shown.isprintable() and ".." not in shown


@pytest.mark.django_db(False)
@given(st.binary(max_size=9000) | st.text(max_size=3000).map(str.encode))
def test_the_upload_check_either_passes_a_file_or_refuses_it_with_a_message(head):
    try:
        sniff(head)
    except SubmissionRejected as error:
        assert str(error).startswith("The file is")
