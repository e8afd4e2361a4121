"""File downloads that stream, resume and revalidate: Range (one byte range), If-Range, ETag, Last-Modified.

Django's FileResponse has no Range support. Parsing the header is left to Werkzeug (the Pallets library behind
Flask's send_file), which follows RFC 9110 on suffix and open ranges; this module only decides what to send.
A request for several ranges gets the whole file (200), as RFC 9110 section 14.2 allows, which keeps every
response a plain byte stream.
"""

import datetime as dt
import mimetypes
from collections.abc import Iterator
from typing import BinaryIO

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe, quote_etag
from werkzeug.http import parse_range_header

CHUNK_BYTES = 256 * 1024


def content_type_for(filename: str) -> str:
    content_type, encoding = mimetypes.guess_type(filename)
    # A .csv.gz is sent as the gzip file it is, never with Content-Encoding: clients must not unpack it on the fly,
    # or the bytes they save would not match the listed size and sha256.
    encoded = {"gzip": "application/gzip", "bzip2": "application/x-bzip", "xz": "application/x-xz"}
    return encoded.get(encoding or "", content_type or "application/octet-stream")


def _stream(file: BinaryIO, start: int, stop: int) -> Iterator[bytes]:
    try:
        file.seek(start)
        remaining = stop - start
        while remaining > 0:
            chunk = file.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        file.close()


def _if_range_matches(request: HttpRequest, etag: str, last_modified: dt.datetime) -> bool:
    """No If-Range, or one naming the current version: the Range applies. Otherwise the whole file is sent."""
    if_range = request.headers.get("If-Range")
    if if_range is None:
        return True
    if if_range.startswith(('"', "W/")):
        return if_range == etag  # a strong comparison: a weak tag never matches
    since = parse_http_date_safe(if_range)
    return since is not None and since == int(last_modified.timestamp())


def file_response(
    request: HttpRequest,
    open_file,
    *,
    size: int,
    sha256: str,
    last_modified: dt.datetime,
    filename: str,
) -> HttpResponse:
    """Answer a GET or HEAD for a stored file. `open_file()` opens it for reading in binary; it is only called when
    bytes are sent. The ETag is the file's sha256, so it names the content exactly (a strong validator)."""
    etag = quote_etag(sha256)
    last_modified_ts = int(last_modified.timestamp())
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified_ts),
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-cache",
    }
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified_ts)
    if conditional is not None:  # 304 Not Modified or 412 Precondition Failed
        for name, value in headers.items():
            conditional.headers.setdefault(name, value)
        return conditional

    start, stop, status = 0, size, 200
    ranges = parse_range_header(request.headers.get("Range"))
    one_range = ranges is not None and ranges.units == "bytes" and len(ranges.ranges) == 1
    if one_range and _if_range_matches(request, etag, last_modified):
        bounds = ranges.range_for_length(size)
        if bounds is None:
            return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        start, stop = bounds
        status = 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"

    headers["Content-Length"] = str(stop - start)
    headers["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    headers["Content-Type"] = content_type_for(filename)
    if request.method == "HEAD":
        return HttpResponse(status=status, headers=headers)
    return StreamingHttpResponse(_stream(open_file(), start, stop), status=status, headers=headers)
