"""Getting an upload's bytes: refuse files that are too big, and unpack gzip or zip without trusting them.

Compression is recognised by magic bytes, never by file name. Decompression streams in bounded chunks and
stops as soon as the output passes an absolute cap or grows suspiciously faster than the input (a
decompression bomb), so a hostile archive never costs more memory than the cap.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from typing import BinaryIO

from workers.scoring.errors import SubmissionRejected, count
from workers.scoring.sizes import human_bytes, too_large_message

# Uncompressed, a CSV may be this many times the upload limit: gzip lets learners send bigger tables, but
# not unbounded ones.
DECOMPRESSED_LIMIT_FACTOR = 4
# CSVs of ids and predictions compress 3-10:1; 100:1 is far beyond that and is where zip-bomb guards
# such as Apache POI's (minimum inflate ratio 0.01) draw the line. Checked once the output passes
# RATIO_GRACE_BYTES, so tiny, very regular files are not refused for their ratio.
MAX_COMPRESSION_RATIO = 100
RATIO_GRACE_BYTES = 1024 * 1024
CHUNK_BYTES = 256 * 1024

_OTHER_FORMATS = {
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ\x00": "an xz archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"Rar!\x1a\x07": "a RAR archive",
    b"PAR1": "a Parquet file",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old Excel (.xls) or other Office file",
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x28\xb5\x2f\xfd": "a Zstandard archive",
}


# How many of a file's first bytes sniff() needs: a NUL byte this early means binary, not text.
HEAD_BYTES = 8192
_GZIP = b"\x1f\x8b"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def sniff(head: bytes) -> str:
    """What an upload is, from its first HEAD_BYTES bytes: "gzip", "zip" or "text" (a CSV, maybe).

    Anything else is refused here with the reason, the one check of a file's format: the upload calls it on the
    bytes it received, so a PDF is answered at once instead of failing in the queue, and the engine calls it on
    the upload and again on what a gzip or zip holds.
    """
    if head.startswith(_GZIP):
        return "gzip"
    if head.startswith(_ZIP):
        return "zip"
    for signature, what in _OTHER_FORMATS.items():
        if head.startswith(signature):
            raise SubmissionRejected(
                f"The file is {what}, not a CSV. Upload a CSV (plain, or compressed with gzip or zip)."
            )
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise SubmissionRejected("The file is saved as UTF-16 text. Save it as CSV in UTF-8.")
    if b"\x00" in head[:HEAD_BYTES]:
        raise SubmissionRejected("The file is binary, not CSV text. Upload a CSV file (plain, gzip or zip).")
    return "text"


def read_upload(path: str | os.PathLike[str], max_upload_bytes: int) -> bytes | bytearray:
    """The upload's CSV bytes, unpacked if it is a gzip or a zip holding exactly one file.

    The size is checked again here, though the hub checks it while the upload streams in: the engine is also
    used on its own (bench/, tests), and this bounds what it reads into memory.
    """
    size = os.stat(path).st_size
    if size == 0:
        raise SubmissionRejected("The file is empty. Upload a CSV with a header row and one row per id.")
    if size > max_upload_bytes:
        raise SubmissionRejected(too_large_message(max_upload_bytes, size))
    limit = max_upload_bytes * DECOMPRESSED_LIMIT_FACTOR
    with open(path, "rb") as upload:
        kind = sniff(upload.read(HEAD_BYTES))
        upload.seek(0)
        if kind == "gzip":
            data = _gunzip(upload, limit)
        elif kind == "zip":
            data = _unzip(upload, limit)
        else:
            # Asking for exactly the stat's size (plus one byte, to notice a file that grew) avoids allocating
            # the whole upload limit for every read.
            data = upload.read(size + 1)
            if len(data) > size:
                data += upload.read(max_upload_bytes - len(data) + 1)
            if len(data) > max_upload_bytes:
                raise SubmissionRejected(too_large_message(max_upload_bytes, len(data)))
            return data
    # What the archive held, sniffed like any upload: a PDF zipped is still a PDF.
    if sniff(bytes(data[:HEAD_BYTES])) != "text":
        raise SubmissionRejected(
            "The archive holds another compressed file. Put the CSV itself in it, or upload the CSV alone."
        )
    return data


class _Sink:
    """Collects decompressed bytes and enforces the absolute cap and the ratio."""

    def __init__(self, limit: int, what: str) -> None:
        self.parts = bytearray()
        self.limit = limit
        self.what = what

    def add(self, chunk: bytes, compressed_so_far: int) -> None:
        self.parts += chunk
        if len(self.parts) > self.limit:
            raise SubmissionRejected(
                f"Uncompressed, the {self.what} is over the {human_bytes(self.limit)} limit. "
                "Upload a smaller file: one row per id with only the expected columns."
            )
        if len(self.parts) > RATIO_GRACE_BYTES and len(self.parts) > MAX_COMPRESSION_RATIO * max(
            compressed_so_far, 1
        ):
            raise SubmissionRejected(
                f"The {self.what} expands more than {MAX_COMPRESSION_RATIO}:1, far beyond what a CSV of "
                "predictions does, so it was refused as a possible decompression bomb. Upload the CSV itself."
            )


def _gunzip(upload: BinaryIO, limit: int) -> bytes | bytearray:
    sink = _Sink(limit, "gzip file")
    consumed = 0
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        while True:
            chunk = upload.read(CHUNK_BYTES)
            if not chunk:
                break
            consumed += len(chunk)
            pending = chunk
            while pending:
                # max_length bounds what one call may produce, however small the input that produces it.
                output = decompressor.decompress(pending, CHUNK_BYTES)
                pending = decompressor.unconsumed_tail
                # The ratio counts only the input the decompressor has used so far, so a bomb read in one
                # large chunk is still refused after its first megabyte or so of output.
                sink.add(output, consumed - len(pending))
                if decompressor.eof:
                    # Concatenated gzip members are one valid file (`cat a.gz b.gz`); anything else after the
                    # end (often zero padding) is ignored, as gunzip does.
                    rest = decompressor.unused_data
                    if not rest.startswith(b"\x1f\x8b"):
                        return sink.parts
                    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                    pending = rest
    except zlib.error:
        raise SubmissionRejected(
            "The gzip file is damaged: it does not decompress. Compress the CSV again."
        ) from None
    if not decompressor.eof:
        raise SubmissionRejected(
            "The gzip file is cut short. Compress the CSV again and upload the whole file."
        )
    return sink.parts


def _is_clutter(name: str) -> bool:
    """Entries that archivers add beside the real file (macOS resource forks, Windows thumbnails)."""
    base = name.rsplit("/", 1)[-1]
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith(".") or base == "Thumbs.db"


def _zip_input_used(stream: zipfile.ZipExtFile, member: zipfile.ZipInfo) -> int:
    """Compressed bytes read so far for this entry.

    zipfile keeps the count of what is left in a private attribute; without it, fall back to the entry's
    whole compressed size, which still bounds the output, only less tightly.
    """
    left = getattr(stream, "_compress_left", None)
    return member.compress_size - left if isinstance(left, int) else member.compress_size


def _unzip(upload: BinaryIO, limit: int) -> bytes | bytearray:
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise SubmissionRejected(
            "The zip file is damaged: its list of files cannot be read. Zip the CSV again."
        ) from None
    with archive:
        names = archive.namelist()
        if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
            raise SubmissionRejected(
                "The file is an Excel workbook, not a CSV. Save the sheet as CSV (UTF-8)."
            )
        members = [info for info in archive.infolist() if not _is_clutter(info.filename)]
        if len(members) != 1:
            listed = ", ".join(info.filename for info in members[:5]) or "nothing"
            raise SubmissionRejected(
                f"The zip holds {count(len(members))} files ({listed}); it must hold exactly one CSV file."
            )
        member = members[0]
        sink = _Sink(limit, f"zip entry {member.filename!r}")
        try:
            with archive.open(member) as stream:
                head = stream.read(CHUNK_BYTES)
                if head.startswith((b"\x1f\x8b", b"PK\x03\x04")):
                    raise SubmissionRejected(
                        "The zip holds another compressed file. Put the CSV itself in the zip, or upload the "
                        "CSV alone."
                    )
                chunk = head
                while chunk:
                    sink.add(chunk, _zip_input_used(stream, member))
                    chunk = stream.read(CHUNK_BYTES)
        except SubmissionRejected:
            raise
        except RuntimeError:  # encrypted entries
            raise SubmissionRejected(
                "The zip is protected by a password, so it cannot be opened. Zip the CSV without a password."
            ) from None
        except NotImplementedError:
            raise SubmissionRejected(
                "The zip uses a compression method that cannot be opened here. Zip it with 'deflate'."
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            raise SubmissionRejected(
                f"The zip file is damaged: {member.filename!r} in it does not decompress or fails its "
                "checksum. Zip the CSV again."
            ) from None
    return sink.parts
