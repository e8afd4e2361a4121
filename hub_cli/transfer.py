"""Streaming file transfers with progress bars: resumable, checksum-verified downloads and multipart uploads.

Neither side holds a whole file in memory: downloads are written chunk by chunk as they arrive, uploads are read
from disk chunk by chunk as they are sent.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from .client import Client, HubError

CHUNK_BYTES = 256 * 1024


def progress_bar(console: Console, *, enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
    )


def file_sha256(path: Path, digest=None) -> str:
    digest = digest or hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Downloaded:
    name: str
    path: str
    size: int
    sha256: str
    status: str  # downloaded, resumed, up-to-date
    resumed_from: int = 0
    unzipped_to: str | None = None


def download(client: Client, listed: dict, folder: Path, progress: Progress) -> Downloaded:
    """Download one listed file into `folder`, resuming a `.part` left by an interrupted run.

    The partial file is only continued if the server still has the same version (If-Range with the file's sha256,
    which is its ETag); otherwise the server sends it whole and the download starts over.
    """
    name, size, expected = listed["name"], listed["size"], listed["sha256"]
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise HubError(f"The hub listed a file name that is not safe to write: {name!r}.")
    destination = folder / name
    partial = folder / f"{name}.part"
    if destination.exists() and destination.stat().st_size == size and file_sha256(destination) == expected:
        return Downloaded(name, str(destination), size, expected, "up-to-date")

    offset = partial.stat().st_size if partial.exists() else 0
    if offset > size:
        partial.unlink()
        offset = 0
    actual, offset = _fetch(client, listed, partial, offset, progress)
    if actual != expected and offset:
        # The bytes already on disk were not a prefix of this file (damaged, or left by something else):
        # start over once from the first byte.
        partial.unlink(missing_ok=True)
        actual, offset = _fetch(client, listed, partial, 0, progress)
    if actual != expected:
        partial.unlink(missing_ok=True)
        raise HubError(
            f"{name} arrived damaged: its sha256 is {actual}, not {expected}. "
            "The partial file was removed; run the command again."
        )
    os.replace(partial, destination)
    return Downloaded(name, str(destination), size, expected, "resumed" if offset else "downloaded", offset)


def _fetch(client: Client, listed: dict, partial: Path, offset: int, progress: Progress) -> tuple[str, int]:
    """Write the file into `partial` from `offset` on; returns the sha256 of the whole and where it resumed."""
    headers = {"Range": f"bytes={offset}-", "If-Range": f'"{listed["sha256"]}"'} if offset else {}
    digest = hashlib.sha256()
    task = progress.add_task(listed["name"], total=listed["size"])
    with client.stream("GET", listed["download_url"], headers=headers) as response:
        if response.status_code == 206:
            file_sha256(partial, digest)  # continue the checksum over what is already on disk
            mode = "ab"
        else:
            offset, mode = 0, "wb"
        progress.update(task, completed=offset)
        with partial.open(mode) as handle:
            for chunk in response.iter_bytes(CHUNK_BYTES):
                handle.write(chunk)
                digest.update(chunk)
                progress.update(task, advance=len(chunk))
    return digest.hexdigest(), offset


def unzip(path: Path, folder: Path) -> Path:
    """Extract a zip into `folder`, refusing any member that would land outside it."""
    root = folder.resolve()
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                target = (root / member.filename).resolve()
                if target != root and root not in target.parents:
                    raise HubError(
                        f"{path.name} holds '{member.filename}', which would land outside {folder}."
                    )
            archive.extractall(root)
    except zipfile.BadZipFile as error:
        raise HubError(f"{path.name} is not a valid zip file ({error}).") from None
    return root


class MultipartFile:
    """A multipart/form-data body streamed from disk, with its exact length known before the first byte is sent:
    the hub checks the declared size before reading the body, and every WSGI server can read it (no chunked
    encoding)."""

    def __init__(self, path: Path, fields: dict[str, str], on_progress=None):
        self.path = path
        self.on_progress = on_progress or (lambda sent: None)
        self.boundary = f"hub-{secrets.token_hex(16)}"
        head = "".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            for key, value in fields.items()
        )
        filename = "".join(ch for ch in path.name if ch.isprintable() and ch not in '"\\')
        head += (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        self.head = head.encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.file_size = path.stat().st_size
        self.length = len(self.head) + self.file_size + len(self.tail)

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(self.length),
        }

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        with self.path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                self.on_progress(len(chunk))
                yield chunk
        yield self.tail


class MultipartFiles:
    """Like MultipartFile, for several files in one body, all under one field name (`files`), and fields that may
    repeat (`remove`): streamed from disk with the exact length known before the first byte."""

    def __init__(
        self, paths: list[Path], fields: list[tuple[str, str]], *, field: str = "files", on_progress=None
    ):
        self.paths = paths
        self.on_progress = on_progress or (lambda sent: None)
        self.boundary = f"hub-{secrets.token_hex(16)}"
        self.head = "".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            for key, value in fields
        ).encode()
        self.part_heads = []
        for path in paths:
            filename = "".join(ch for ch in path.name if ch.isprintable() and ch not in '"\\')
            self.part_heads.append(
                (
                    f"--{self.boundary}\r\n"
                    f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n"
                ).encode()
            )
        self.tail = f"--{self.boundary}--\r\n".encode()
        self.file_size = sum(path.stat().st_size for path in paths)
        self.length = (
            len(self.head) + sum(len(h) + 2 for h in self.part_heads) + self.file_size + len(self.tail)
        )

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(self.length),
        }

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        for path, head in zip(self.paths, self.part_heads, strict=True):
            yield head
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK_BYTES):
                    self.on_progress(len(chunk))
                    yield chunk
            yield b"\r\n"
        yield self.tail
