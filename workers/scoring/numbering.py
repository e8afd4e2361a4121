"""Ids that are numbers, bare or wrapped in fixed text: 1043, -7, img_000123.png, test_57.jpg.

Most challenges number their rows. Reading such ids as int64 lets a shuffled submission be matched by
arithmetic instead of hashing a million strings, which is five to ten times slower. The catch is that ids
are compared as strings, and pyarrow's integer parser accepts more than one spelling of a number ("007",
"-0", "0x7"); the checks here make sure a submitted id that parses to a solution number is also, byte for
byte, that solution id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_BARE_INTEGER = r"^(0|-?[1-9][0-9]{0,17})$"
_CANONICAL = r"^(0|[1-9][0-9]*)$"


@dataclass(frozen=True)
class Numbering:
    """How a solution writes its ids: prefix + number + suffix, the number zero-padded or not."""

    prefix: bytes
    suffix: bytes
    # Every number written with exactly this many digits (zero-padded); None: written canonically, without
    # leading zeros, so a submitted spelling of the same number can only be longer (see written_bytes).
    width: int | None
    written_bytes: int  # total bytes of the solution's number parts

    @classmethod
    def detect(cls, ids: pa.Array) -> tuple[Numbering, np.ndarray] | None:
        """The numbering of a solution's (trimmed, unique) ids and their numbers, or None if they have none."""
        if len(ids) == 0:
            return None
        if pc.all(pc.match_substring_regex(ids, _BARE_INTEGER)).as_py():
            numbers = pc.cast(ids, pa.int64()).to_numpy()
            return cls(b"", b"", None, _total_bytes(ids)), numbers
        # The last run of digits in the first id is the number; what surrounds it must be the same in all.
        parts = re.fullmatch(r"(.*?)([0-9]+)([^0-9]*)", ids[0].as_py(), flags=re.DOTALL)
        if parts is None:
            return None
        prefix, suffix = parts.group(1).encode(), parts.group(3).encode()
        cores = _cores(ids, prefix, suffix)
        if cores is None or not pc.all(pc.match_substring_regex(cores, r"^[0-9]{1,18}$")).as_py():
            return None
        lengths = pc.min_max(pc.binary_length(cores)).as_py()
        if lengths["min"] == lengths["max"]:
            width = lengths["min"]
        elif pc.all(pc.match_substring_regex(cores, _CANONICAL)).as_py():
            width = None
        else:
            return None  # "7" beside "007": no single spelling to check against
        return cls(prefix, suffix, width, _total_bytes(cores)), pc.cast(cores, pa.int64()).to_numpy()

    def numbers(self, chunk: pa.Array) -> tuple[np.ndarray, int] | None:
        """A submitted chunk's numbers and the bytes of its number parts, or None if some id is spelled in a
        way that could match without being the solution's id (the exact string comparison then decides)."""
        cores = _cores(chunk, self.prefix, self.suffix) if self.prefix or self.suffix else chunk
        if cores is None:
            return None
        # pyarrow also parses hexadecimal ("0x1F"), which is never how the solution writes its ids.
        raw = np.frombuffer(cores.buffers()[2] or b"", dtype=np.uint8)
        if np.count_nonzero(raw == ord("x")) or np.count_nonzero(raw == ord("X")):
            return None
        if self.width is not None:
            lengths = pc.min_max(pc.binary_length(cores)).as_py()
            if len(cores) and not lengths["min"] == lengths["max"] == self.width:
                return None
        try:
            numbers = pc.cast(cores, pa.int64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None  # spaces, decimals, words
        return numbers, _total_bytes(cores)

    def exact(self, written_bytes: int) -> bool:
        """Given that the submitted numbers are a permutation of the solution's, whether every id is spelled
        as the solution spells it.

        A fixed width was checked chunk by chunk: W digits that parse to a number are that number's only
        W-digit spelling. Canonical numbers have no leading zeros and no sign on zero, so every other spelling
        pyarrow accepts ("007", "-0") is longer: equal total length means every spelling is the canonical one.
        """
        return self.width is not None or written_bytes == self.written_bytes


def _total_bytes(strings: pa.Array) -> int:
    return int(pc.sum(pc.binary_length(strings)).as_py() or 0)


def _cores(strings: pa.Array, prefix: bytes, suffix: bytes) -> pa.Array | None:
    """What lies between prefix and suffix in each string, or None if one of them lacks either."""
    raw = strings.cast(pa.binary())
    if len(raw) == 0:
        return raw
    lengths = pc.min_max(pc.binary_length(raw)).as_py()
    if lengths["min"] < len(prefix) + len(suffix) + 1:
        return None  # too short to hold both and a digit; also stops prefix and suffix overlapping
    if prefix and not pc.all(pc.starts_with(raw, pattern=prefix)).as_py():
        return None
    if suffix and not pc.all(pc.ends_with(raw, pattern=suffix)).as_py():
        return None
    # An explicit stop: pyarrow 26 fails on an open-ended one ("Negative buffer resize").
    return pc.binary_slice(raw, len(prefix), -len(suffix) if suffix else lengths["max"])
