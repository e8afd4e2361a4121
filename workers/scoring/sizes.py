"""Sizes in messages, and the one sentence for a file over its challenge's limit.

Pure (no Django): the upload handlers, the submission rule and the engine all word a size the same way.
"""

from __future__ import annotations

COMPRESS_HINT = "Compress the CSV with gzip or zip, or check its contents."


def human_bytes(size: float) -> str:
    """1536 -> '1.5 KB'; whole bytes below 1 KB ('1,000 bytes')."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def too_large_message(limit: int, size: int | None = None) -> str:
    """What a learner is told when a file is over `limit` bytes. `size` is the file's own size when it is known
    (a stored file, an announced one); a refusal while the body streams in knows only that it passed the limit."""
    if size is None:
        return f"The upload is too large: this challenge takes files of at most {human_bytes(limit)}. {COMPRESS_HINT}"
    return (
        f"The file is {human_bytes(size)}; this challenge takes at most {human_bytes(limit)}. {COMPRESS_HINT}"
    )
