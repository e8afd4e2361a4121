"""A challenge from a host's form: the texts, scoring settings, dates and limits typed in, the public files and
the hidden solution uploaded. This module writes them as a challenge bundle (docs/challenge-bundles.md) and
touches no database; the import (projects.services.challenge_import_bundle) then reads, checks and stores that
bundle exactly as it does an uploaded zip, so every rule (the engine's check of the solution, the slugs, the
host's upload cap, all or nothing) lives once, in the bundle path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Protocol

from .builtin.bundle_writer import SOLUTION_PATH, BundleWriter

# The public files a form takes, in the order learners see them: (form field, bundle kind, download stem).
PUBLIC_FILES = (
    ("train", "train", "train"),
    ("test", "test", "test"),
    ("sample_submission", "sample_submission", "sample_submission"),
)
_SUFFIX = re.compile(r"(\.[a-z0-9]{1,8}){1,2}\Z")


class Upload(Protocol):
    name: str

    def chunks(self) -> Iterable[bytes]: ...


@dataclass(frozen=True)
class FormSpec:
    """What the host typed. Dates are timezone-aware; empty optional values are None or empty."""

    slug: str
    title: str
    metric: str
    id_column: str
    target_column: str
    description: str
    level: str = "beginner"
    summary: str = ""
    evaluation: str = ""
    allowed_labels: tuple[str, ...] = field(default_factory=tuple)
    positive_label: str = ""
    k: int | None = None
    public_fraction: float | None = None  # None: the solution's Usage column says Public or Private
    split_seed: int = 0
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    daily_limit: int = 10
    total_limit: int | None = None
    max_upload_mb: float | None = None
    visibility: str = "private"


def download_name(stem: str, upload_name: str) -> str:
    """`train.csv`, `test.csv.gz`, `sample_submission.zip`: the kind's name with the upload's own suffix, so
    learners get the names they expect whatever the host's files were called on their disk."""
    match = _SUFFIX.search(PurePath(upload_name or "").name.lower())
    return stem + (match.group(0) if match else ".csv")


def bundle_from_form(
    *, spec: FormSpec, public_files: dict[str, Upload], solution: Upload, dest: Path
) -> Path:
    """Write the bundle folder for `spec` at `dest` (emptied first) and return it. `public_files` maps a field
    of PUBLIC_FILES to its upload (missing ones are left out). Nothing is checked here: the bundle reader does
    it, with the messages every bundle gets."""
    writer = BundleWriter(dest)
    for field_name, kind, stem in PUBLIC_FILES:
        upload = public_files.get(field_name)
        if upload is None:
            continue
        name = download_name(stem, upload.name)
        writer.add_chunks(f"data/{name}", upload.chunks(), kind=kind, description=_DESCRIPTIONS[kind])
    writer.write_chunks(SOLUTION_PATH, solution.chunks())
    manifest: dict = {
        "slug": spec.slug,
        "title": spec.title,
        "level": spec.level,
        "summary": spec.summary,
        # In files, never inline: a one-line text ending in ".md" would be read as the name of a file.
        "description": "description.md",
        "metric": spec.metric,
        "id_column": spec.id_column,
        "target_column": spec.target_column,
        "allowed_labels": list(spec.allowed_labels),
        "visibility": spec.visibility,
        "daily_limit": spec.daily_limit,
        "dataset": {"slug": f"{spec.slug}-data", "title": f"{spec.title}: data"},
        "solution": SOLUTION_PATH,
    }
    writer.write_bytes("description.md", spec.description.encode())
    if spec.evaluation.strip():
        writer.write_bytes("evaluation.md", spec.evaluation.encode())
        manifest["evaluation"] = "evaluation.md"
    if spec.positive_label:
        manifest["positive_label"] = spec.positive_label
    if spec.k is not None:
        manifest["k"] = spec.k
    if spec.public_fraction is not None:
        manifest["split"] = {"public_fraction": spec.public_fraction, "seed": spec.split_seed}
    for key, value in (("start", spec.start_at), ("end", spec.end_at)):
        if value is not None:
            manifest[key] = value.astimezone(dt.UTC)
    if spec.total_limit is not None:
        manifest["total_limit"] = spec.total_limit
    if spec.max_upload_mb is not None:
        manifest["max_upload_mb"] = spec.max_upload_mb
    writer.write_manifest(manifest)
    return dest


_DESCRIPTIONS = {
    "train": "The labelled training rows.",
    "test": "The rows to predict.",
    "sample_submission": "A submission in the expected format.",
}
