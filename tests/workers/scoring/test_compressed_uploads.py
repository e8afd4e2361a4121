"""gzip and zip uploads are recognised by their bytes and unpacked within caps; bombs are refused early."""

from __future__ import annotations

import gzip
import io
import os
import tracemalloc
import zipfile
import zlib

import pytest

from tests.workers.scoring.helpers import csv_text, digit_spec
from workers.scoring import SubmissionRejected, load_solution, score_file, sniff
from workers.scoring.archives import HEAD_BYTES, read_upload


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def rejection(path, limit: int = 100 * 1024 * 1024) -> str:
    with pytest.raises(SubmissionRejected) as caught:
        read_upload(path, limit)
    return caught.value.message


@pytest.fixture
def perfect_csv(digits) -> bytes:
    return csv_text(["ImageId", "Label"], digits.rows()).encode()


def test_a_gzip_upload_is_accepted_whatever_its_name(digits, files, perfect_csv):
    path = files.write(gzip.compress(perfect_csv), "predictions.csv")
    assert score_file(path, digits.solution, digits.spec).public_score == 1.0


def test_concatenated_gzip_members_are_one_file(files, perfect_csv):
    half = len(perfect_csv) // 2
    path = files.write(gzip.compress(perfect_csv[:half]) + gzip.compress(perfect_csv[half:]))
    assert read_upload(path, 10**8) == perfect_csv


def test_a_zip_holding_one_csv_is_accepted_beside_macos_clutter(digits, files, perfect_csv):
    data = zipped(
        {"out/predictions.csv": perfect_csv, "__MACOSX/._predictions.csv": b"junk", ".DS_Store": b"x"}
    )
    path = files.write(data, "upload.bin")
    assert score_file(path, digits.solution, digits.spec).public_score == 1.0


def test_a_zip_with_several_files_names_them(files, perfect_csv):
    path = files.write(zipped({"a.csv": perfect_csv, "b.csv": perfect_csv}))
    assert rejection(path) == "The zip holds 2 files (a.csv, b.csv); it must hold exactly one CSV file."


def test_an_empty_zip_is_rejected(files):
    assert "holds 0 files" in rejection(files.write(zipped({})))


def test_a_damaged_or_truncated_archive_is_rejected(files, perfect_csv):
    assert "cut short" in rejection(files.write(gzip.compress(perfect_csv)[:-200]))
    assert "damaged" in rejection(files.write(b"\x1f\x8b" + os.urandom(500)))
    assert "damaged" in rejection(files.write(zipped({"a.csv": perfect_csv})[:300]))


def test_an_excel_workbook_is_named(files):
    data = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    assert "Excel workbook" in rejection(files.write(data, "predictions.csv"))


def test_an_archive_inside_an_archive_is_refused(files, perfect_csv):
    assert "another compressed file" in rejection(
        files.write(zipped({"a.csv.gz": gzip.compress(perfect_csv)}))
    )


@pytest.mark.parametrize(
    ("inside", "named"),
    [
        (b"%PDF-1.7\n", "The file is a PDF, not a CSV."),
        ("ImageId,Label\n1,7\n".encode("utf-16"), "saved as UTF-16 text"),
        (gzip.compress(b"ImageId,Label\n1,7\n"), "holds another compressed file"),
    ],
    ids=["pdf", "utf-16", "gzip"],
)
def test_what_a_gzip_holds_is_sniffed_as_an_upload_is(files, inside, named):
    assert named in rejection(files.write(gzip.compress(inside)))


def test_the_upload_check_and_the_engine_sniff_alike(files):
    pdf = b"%PDF-1.7\n" + bytes(100)
    with pytest.raises(SubmissionRejected) as at_upload:
        sniff(pdf[:HEAD_BYTES])
    assert rejection(files.write(pdf)) == at_upload.value.message


def test_a_gzip_bomb_is_refused_while_streaming_without_holding_it(files):
    # 200 MB of zeros, about 200 KB compressed: refused on its ratio after the first megabytes.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(block) for _ in range(200)) + compressor.flush()
    path = files.write(bomb)
    tracemalloc.start()
    try:
        message = rejection(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "possible decompression bomb" in message
    assert peak < 8 * 1024 * 1024


def test_a_zip_bomb_is_refused(files):
    path = files.write(zipped({"a.csv": bytes(50 * 1024 * 1024)}))
    assert "possible decompression bomb" in rejection(path)


def test_decompressed_size_is_capped_even_at_an_ordinary_ratio(files):
    text = "".join(f"{number},0.1234567890\n" for number in range(200_000)).encode()
    path = files.write(gzip.compress(text))
    assert 4 < len(text) / os.path.getsize(path) < 100  # an ordinary ratio, not a bomb's
    limit = os.path.getsize(path) + 1  # the upload fits; it unpacks to over four times that
    assert "Uncompressed, the gzip file is over the" in rejection(path, limit)


def test_a_plain_upload_over_the_limit_is_rejected(files):
    path = files.write(b"ImageId,Label\n" + b"1,7\n" * 1000)
    assert rejection(path, limit=1000) == (
        "The file is 3.9 KB; this challenge takes at most 1,000 bytes. "
        "Compress the CSV with gzip or zip, or check its contents."
    )


def test_the_upload_limit_comes_from_the_spec(files, perfect_csv):
    spec = digit_spec(max_upload_bytes=1000)
    solution_path = files.write("ImageId,Label\n1,7\n", "solution.csv")
    solution = load_solution(solution_path, spec)
    with pytest.raises(SubmissionRejected, match="this challenge takes at most 1,000 bytes"):
        score_file(files.write(perfect_csv), solution, spec)
