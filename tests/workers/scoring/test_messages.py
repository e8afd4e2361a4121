"""Every message the engine gives a learner is a sentence of ours: built from the engine's own templates, never
the words of pyarrow, pandas, zlib, zipfile or csv ("straddling object straddles two block boundaries").

Two checks of the class: statically, no message interpolates a caught exception; and over a corpus of odd files
plus a Hypothesis fuzz, every rejection matches a template found in workers/scoring's source.
"""

from __future__ import annotations

import ast
import gzip
import io
import re
import tempfile
import zipfile
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workers.scoring.test_fuzzing import CHALLENGES, solutions, valid_submission  # noqa: F401
from workers.scoring import SubmissionRejected, load_solution, score_file

ENGINE = Path(__file__).resolve().parents[3] / "workers" / "scoring"
# Words of the libraries the engine calls, as they phrase their errors.
LIBRARY_WORDS = re.compile(
    r"straddl|block size|CSV parse error|ArrowInvalid|pyarrow|Error -\d|decompressing data|Bad CRC|"
    r"File is not a zip|Bad magic|field limit|line contains NUL|Traceback|Exception",
    re.IGNORECASE,
)
MIN_TEMPLATE_TEXT = 12  # templates with less fixed text than this would match anything


@cache
def templates() -> list[str]:
    """Every string and f-string of the engine's source as a pattern: fixed text literal, each {...} any text."""
    patterns = []
    for module in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.JoinedStr):
                parts = [
                    re.escape(value.value) if isinstance(value, ast.Constant) else "(.*)"
                    for value in node.values
                ]
                fixed = sum(len(value.value) for value in node.values if isinstance(value, ast.Constant))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts, fixed = [re.escape(node.value)], len(node.value)
            else:
                continue
            if fixed >= MIN_TEMPLATE_TEXT:
                patterns.append("".join(parts).replace("(.*)", "(?:.*?)"))
    return patterns


@cache
def catalogue() -> re.Pattern:
    """A message is one template, or several joined by spaces (the id checks list each problem, then advice)."""
    one = "(?:" + "|".join(templates()) + ")"
    return re.compile(f"{one}(?: {one})*", re.DOTALL)


def assert_ours(message: str) -> None:
    assert not LIBRARY_WORDS.search(message), message
    assert catalogue().fullmatch(message), f"not built from the engine's templates: {message!r}"


def test_no_message_interpolates_a_caught_exception():
    """`except X as error: raise SubmissionRejected(f"... {error}")` puts a library's words in front of a learner."""
    leaks = []
    for module in ENGINE.glob("*.py"):
        for handler in ast.walk(ast.parse(module.read_text())):
            if not isinstance(handler, ast.ExceptHandler) or handler.name is None:
                continue
            # A SolutionError is the hosts' (the admin and the logs): learners see one fixed sentence instead.
            for_hosts = {
                id(inner)
                for raised in ast.walk(handler)
                if isinstance(raised, ast.Raise)
                and isinstance(raised.exc, ast.Call)
                and getattr(raised.exc.func, "id", None) == "SolutionError"
                for inner in ast.walk(raised.exc)
            }
            for node in ast.walk(handler):
                if id(node) in for_hosts:
                    continue
                if isinstance(node, ast.FormattedValue):
                    names = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
                    attributes = {n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute)}
                    # Our own errors' `.message` is ours; anything else of the exception is the library's.
                    if handler.name in names and attributes != {"message"}:
                        leaks.append(f"{module.name}:{node.lineno}")
    assert not leaks, leaks


def _zip(entries: dict[str, bytes]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in entries.items():
            zipped.writestr(name, data)
    return archive.getvalue()


def _corrupt(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0xFF
    return bytes(changed)


VALID = valid_submission("labels")
ODD_FILES = {
    "a row of a million commas": b"id,y\n1," + b"," * 3_000_000 + b"\n",
    "a row of 3 MB without commas": b"id,y\n1," + b"a" * 3_000_000 + b"\n",
    "a long row among good ones": VALID + b"99," + b"x," * 700_000 + b"\n",
    "an unclosed quote": b'id,y\n1,"a\n2,b\n',
    "a quote mid-value": b'id,y\n1,a"b\n',
    "a NUL byte": b"id,y\n1,a\x00\n",
    "a 200 KB header field": b'"' + b"a" * 200_000 + b'",y\n1,a\n',
    "a header of a million commas": b"," * 1_000_000 + b"\n1,a\n",
    "a damaged gzip": b"\x1f\x8b\x08\x00" + b"junk" * 10,
    "a gzip cut short": gzip.compress(VALID)[:-10],
    "a gzip of a million-comma row": gzip.compress(b"id,y\n1," + b"," * 2_000_000 + b"\n"),
    "not a zip": b"PK\x03\x04" + b"junk" * 20,
    "a zip failing its checksum": _corrupt(_zip({"a.csv": VALID}), 40),
    "a zip of two files": _zip({"a.csv": VALID, "b.csv": VALID}),
    "latin-1 text": b"id,y\n1,\xe9\n",
    "UTF-16": VALID.decode().encode("utf-16"),
    "semicolons": VALID.replace(b",", b";"),
    "tabs": VALID.replace(b",", b"\t"),
    "ragged rows": VALID.replace(b"\n1,", b"\n1,a,b,"),
    "only a header": b"id,y\n",
    "empty": b"",
    "spaces": b"   \n  \n",
    "an unknown label": VALID.replace(b",b\n", b",zz\n"),
    "a duplicate id": VALID + VALID.split(b"\n", 2)[1] + b"\n",
    "CR line ends and quotes": VALID.replace(b"\n", b'\r"'),
    "an Excel workbook": _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}),
}


@pytest.fixture(scope="module")
def roomy(solutions):  # noqa: F811
    """The labels challenge with a 20 MB limit, so the multi-megabyte rows reach the CSV reader."""
    spec = replace(CHALLENGES["labels"][0], max_upload_bytes=20 * 1024 * 1024)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "solution.csv"
        rows = [f"{n},{'a' if n % 3 else 'b'},{'Public' if n % 2 else 'Private'}" for n in range(30)]
        path.write_text("id,y,Usage\n" + "\n".join(rows) + "\n")
        yield spec, load_solution(path, spec)


def _message(data: bytes, spec, solution) -> str | None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "upload.csv"
        path.write_bytes(data)
        try:
            score_file(path, solution, spec)
        except SubmissionRejected as rejected:
            return rejected.message
    return None


@pytest.mark.parametrize("name", list(ODD_FILES))
def test_odd_files_are_refused_in_our_own_words(name, roomy):
    message = _message(ODD_FILES[name], *roomy)
    if message is not None:
        assert_ours(message)


def test_a_row_of_a_million_commas_names_its_line_and_length(roomy):
    message = _message(ODD_FILES["a row of a million commas"], *roomy)
    assert message.startswith("Line 2 is 3.0 MB long, with 3,000,001 commas")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from(list('ab1,"\r\t; \x00\xe9')), max_size=40), min_size=1, max_size=8
    ),
    kind=st.sampled_from(sorted(CHALLENGES)),
)
def test_fuzzed_rows_are_refused_in_our_own_words(solutions, lines, kind):  # noqa: F811
    spec = CHALLENGES[kind][0]
    data = VALID.split(b"\n", 1)[0] + b"\n" + "\n".join(lines).encode()
    message = _message(data, spec, solutions[kind])
    if message is not None:
        assert_ours(message)
