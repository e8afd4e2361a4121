"""Numbers written for people in messages."""


def human_bytes(size: float) -> str:
    """1536 -> '1.5 KB'; whole bytes below 1 KB."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
