"""Streaming file transfers with progress bars: resumable, checksum-verified downloads and the upload's file.

Neither side holds a whole file in memory: downloads are written chunk by chunk as they arrive, uploads are read
from disk chunk by chunk as they are sent.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable
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
    """The file's sha256, or `digest` (already fed what came before) continued over it."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, (lambda: digest) if digest else hashlib.sha256).hexdigest()


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


class ProgressFile(io.FileIO):
    """A file opened for reading that reports each chunk as it is read, for an upload's progress bar.

    Given to httpx as a multipart `files=` entry, it is read chunk by chunk while the body is sent, never whole;
    being a real file, httpx learns its size with fstat and sends Content-Length (the hub checks the declared size
    before reading the body, and every WSGI server reads it), not chunked encoding.
    """

    def __init__(self, path: Path, on_read: Callable[[int], object]):
        super().__init__(path, "rb")
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.on_read(len(chunk))
        return chunk
