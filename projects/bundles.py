"""Challenge bundles: a folder (or a zip of one) with a `challenge.yaml`, its Markdown pages, public files, and
the hidden solution. This module reads and checks a bundle, and writes one; it touches no database.

The format is documented in docs/challenge-bundles.md.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import yaml

from workers.scoring import METRICS, SolutionError, validate_solution

from .models import default_max_upload_bytes
from .scoring_spec import scoring_spec_for

LEVELS = ("beginner", "intermediate", "advanced")
FILE_KINDS = ("train", "test", "sample_submission", "images", "other")
VISIBILITIES = ("public", "unlisted", "private")
MANIFEST = "challenge.yaml"


# Where a challenge whose bundle gives no featured_order comes among those of its level.
DEFAULT_FEATURED_ORDER = 100


class BundleError(Exception):
    """The bundle cannot be imported; the message names the problem and what to change.

    `key` names the challenge.yaml key at fault when one is (solution, slug, max_upload_mb), so a form that built
    the bundle can show the message beside its own field."""

    def __init__(self, message: str, *, key: str | None = None):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class BundleFile:
    path: Path  # where it is now, on disk
    name: str  # the download name
    kind: str
    description: str = ""


@dataclass(frozen=True)
class DatasetInfo:
    slug: str
    title: str = ""
    description: str = ""
    source: str = ""
    licence: str = ""
    synthetic: bool = False  # generated data standing in for a real dataset


@dataclass(frozen=True)
class TrackPlacement:
    """A `tracks` entry: the learning path (created with this title if new) and the challenge's place on it."""

    slug: str
    title: str
    position: int
    summary: str = ""
    featured_order: int | None = None


@dataclass
class Bundle:
    slug: str
    title: str
    level: str
    summary: str
    description: str
    evaluation: str
    metric: str
    extra_metrics: list[str]
    id_column: str
    target_column: str
    solution_id_column: str
    solution_target_column: str
    allowed_labels: list[str]
    positive_label: str
    metric_k: int | None
    extra_formats: list[dict[str, str]]
    public_fraction: float | None
    split_seed: int
    start_at: dt.datetime | None
    end_at: dt.datetime | None
    daily_limit: int
    total_limit: int | None
    max_upload_bytes: int
    dataset: DatasetInfo
    files: list[BundleFile]
    solution: Path
    starter_kit: Path | None = None
    baseline: Path | None = None
    insight_enabled: bool = True
    featured_order: int = DEFAULT_FEATURED_ORDER
    tracks: list[TrackPlacement] = field(default_factory=list)
    visibility: str | None = None  # None: the bundle does not say, and an import keeps the challenge's
    extra: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def opened_bundle(path: str | Path) -> Iterator[Bundle]:
    """Read and check the bundle at `path` (a folder or a zip of one) and yield it.

    The files the yielded Bundle points to exist only inside the `with` block: a zip is extracted into a
    temporary folder, and a solution split by a fraction gets its Usage column in a temporary copy.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
        scratch = Path(tmp)
        if path.is_dir():
            root = path
        elif not path.is_file():
            raise BundleError(f"{path} does not exist. Give a bundle folder or a .zip of one.")
        elif not zipfile.is_zipfile(path):
            raise BundleError(f"{path.name} is neither a folder nor a zip file.")
        else:
            root = _extract(path, scratch / "bundle")
        yield read_bundle(root, scratch)


def _extract(archive_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(archive_path) as archive:
        for member in archive.infolist():
            target = PurePosixPath(member.filename)
            if target.is_absolute() or ".." in target.parts:
                raise BundleError(f"{archive_path.name} holds an unsafe path: {member.filename}")
        try:
            archive.extractall(dest)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # a bad CRC or a broken deflate stream
            raise BundleError(
                f"{archive_path.name} is a damaged zip ({error}): make it again and upload it again."
            ) from None
    return _bundle_root(dest, archive_path.name)


def _bundle_root(root: Path, archive_name: str) -> Path:
    """A zip may hold the bundle at its top or inside one folder."""
    if (root / MANIFEST).is_file():
        return root
    inner = [p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file()]
    if len(inner) == 1:
        return inner[0]
    raise BundleError(f"{archive_name} has no {MANIFEST} at its top or in a single top folder.")


def read_bundle(root: Path, scratch: Path) -> Bundle:
    """Read and check everything in the bundle folder; derived files go to `scratch`.

    Raises BundleError naming the first problem found.
    """
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(f"The bundle has no {MANIFEST}.")
    try:
        manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BundleError(f"{MANIFEST} is not valid YAML: {exc}") from None
    if not isinstance(manifest, dict):
        raise BundleError(f"{MANIFEST} must be a mapping of keys such as slug, title, metric.")
    bundle = _parse_manifest(root, manifest)
    if bundle.public_fraction is not None:
        bundle.solution = _with_usage_column(bundle, scratch / bundle.solution.name)
    try:
        validate_solution(bundle.solution, scoring_spec_for(bundle), test_ids=_test_ids(bundle))
    except SolutionError as exc:
        raise BundleError(
            f"The solution {bundle.solution.name} is not valid: {exc}", key="solution"
        ) from None
    return bundle


MANIFEST_KEYS = frozenset(
    {
        "slug", "title", "level", "summary", "description", "evaluation", "metric", "extra_metrics", "id_column",
        "target_column", "solution_id_column", "solution_target_column", "allowed_labels", "positive_label", "k",
        "formats", "split", "start", "end", "daily_limit", "total_limit", "max_upload_mb", "dataset", "files",
        "solution", "starter_kit", "baseline", "insight", "tracks", "featured_order", "visibility",
    }
)  # fmt: skip


def _parse_manifest(root: Path, m: dict[str, Any]) -> Bundle:
    unknown = sorted(set(m) - MANIFEST_KEYS)
    if unknown:
        # A misspelt key would otherwise be ignored without a word, e.g. max_upload_bytes for max_upload_mb.
        raise BundleError(
            f"{MANIFEST} has unknown key(s): {', '.join(unknown)}. Known keys: {', '.join(sorted(MANIFEST_KEYS))}."
        )
    reader = _Manifest(root, m)
    slug = reader.required_str("slug")
    level = reader.optional_str("level", "beginner")
    if level not in LEVELS:
        raise BundleError(f"level '{level}' is not one of {', '.join(LEVELS)}.")
    metric = reader.required_str("metric")
    extra_metrics = [str(x) for x in reader.optional_list("extra_metrics")]
    for key in [metric, *extra_metrics]:
        if key not in METRICS:
            raise BundleError(f"Unknown metric '{key}'. Known metrics: {', '.join(sorted(METRICS))}.")
    id_column = reader.required_str("id_column")
    target_column = reader.required_str("target_column")
    split = m.get("split") or {"usage_column": "Usage"}
    if not isinstance(split, dict):
        raise BundleError("split must be {usage_column: Usage} or {public_fraction: 0.4, seed: 42}.")
    public_fraction = split.get("public_fraction")
    if public_fraction is not None and not (
        isinstance(public_fraction, int | float) and 0 < float(public_fraction) <= 1
    ):
        raise BundleError(f"split.public_fraction must be a number in (0, 1], not {public_fraction!r}.")
    dataset = m.get("dataset") or {"slug": slug, "title": reader.required_str("title")}
    if not isinstance(dataset, dict) or not dataset.get("slug"):
        raise BundleError("dataset must be a mapping with at least a slug.")
    if not isinstance(dataset.get("synthetic", False), bool):
        raise BundleError(f"dataset.synthetic must be true or false, not {dataset['synthetic']!r}.")
    files = [reader.file_entry(i, entry) for i, entry in enumerate(reader.optional_list("files"))]
    names = [f.name for f in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BundleError(
            f"Two public files share the name {duplicates[0]}; public file names must be unique."
        )
    formats = reader.optional_list("formats")
    for entry in formats:
        if not isinstance(entry, dict) or not entry.get("id_column") or not entry.get("target_column"):
            raise BundleError("Each entry of formats needs id_column and target_column.")
    max_upload_mb = reader.optional_number("max_upload_mb", None)
    max_upload_bytes = default_max_upload_bytes() if max_upload_mb is None else int(max_upload_mb * 1024**2)
    insight = m.get("insight", True)
    if not isinstance(insight, bool):
        raise BundleError(f"insight must be true or false, not {insight!r}.")
    visibility = m.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        raise BundleError(f"visibility '{visibility}' is not one of {', '.join(VISIBILITIES)}.")
    return Bundle(
        slug=slug,
        title=reader.required_str("title"),
        level=level,
        summary=reader.optional_str("summary", ""),
        description=reader.markdown("description"),
        evaluation=reader.markdown("evaluation"),
        metric=metric,
        extra_metrics=extra_metrics,
        id_column=id_column,
        target_column=target_column,
        solution_id_column=reader.optional_str("solution_id_column", id_column),
        solution_target_column=reader.optional_str("solution_target_column", target_column),
        allowed_labels=[str(x) for x in reader.optional_list("allowed_labels")],
        positive_label=str(m.get("positive_label") or ""),
        metric_k=int(m["k"]) if m.get("k") else None,
        extra_formats=[{k: str(v) for k, v in entry.items()} for entry in formats],
        public_fraction=float(public_fraction) if public_fraction is not None else None,
        split_seed=int(split.get("seed", 0)),
        start_at=reader.optional_datetime("start"),
        end_at=reader.optional_datetime("end"),
        daily_limit=int(reader.optional_number("daily_limit", 10)),
        total_limit=int(m["total_limit"]) if m.get("total_limit") else None,
        max_upload_bytes=max_upload_bytes,
        dataset=DatasetInfo(
            slug=str(dataset["slug"]),
            title=str(dataset.get("title") or ""),
            description=reader.markdown_in(dataset, "description"),
            source=str(dataset.get("source") or ""),
            licence=str(dataset.get("licence") or dataset.get("license") or ""),
            synthetic=dataset.get("synthetic", False),
        ),
        files=files,
        solution=reader.path("solution", required=True),
        starter_kit=reader.path("starter_kit"),
        baseline=reader.path("baseline"),
        visibility=visibility,
        insight_enabled=insight,
        featured_order=_featured_order(m.get("featured_order", DEFAULT_FEATURED_ORDER)),
        tracks=[_track_placement(index, entry) for index, entry in enumerate(reader.optional_list("tracks"))],
    )


def _featured_order(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1_000_000:
        raise BundleError(f"featured_order must be a whole number from 0 to 1000000, not {value!r}.")
    return value


def _track_placement(index: int, entry: Any) -> TrackPlacement:
    where = f"tracks[{index}]"
    if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("title"):
        raise BundleError(
            f"{where} needs a slug and a title, e.g. {{slug: first-steps, title: First steps, position: 1}}."
        )
    slug = str(entry["slug"]).strip()
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,100}", slug):
        raise BundleError(f"{where}.slug {slug!r} must be letters, digits, - or _ (at most 100).")
    position = entry.get("position", 1)
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= 1000:
        raise BundleError(f"{where}.position must be a whole number from 1 to 1000, not {position!r}.")
    featured = entry.get("featured_order")
    if featured is not None and (not isinstance(featured, int) or isinstance(featured, bool) or featured < 0):
        raise BundleError(f"{where}.featured_order must be a whole number of 0 or more, not {featured!r}.")
    unknown = sorted(set(entry) - {"slug", "title", "position", "summary", "featured_order"})
    if unknown:
        raise BundleError(f"{where} has unknown key(s): {', '.join(unknown)}.")
    return TrackPlacement(
        slug=slug,
        title=str(entry["title"]).strip()[:200],
        position=position,
        summary=str(entry.get("summary") or "").strip()[:300],
        featured_order=featured,
    )


class _Manifest:
    def __init__(self, root: Path, data: dict[str, Any]):
        self.root = root
        self.data = data

    def required_str(self, key: str) -> str:
        value = self.data.get(key)
        if value is None or str(value).strip() == "":
            raise BundleError(f"{MANIFEST} needs '{key}'.")
        return str(value).strip()

    def optional_str(self, key: str, default: str) -> str:
        value = self.data.get(key)
        return default if value is None else str(value).strip()

    def optional_list(self, key: str) -> list[Any]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise BundleError(f"'{key}' must be a list.")
        return value

    def optional_number(self, key: str, default: float | None) -> float | None:
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, int | float) or value < 0:
            raise BundleError(f"'{key}' must be a positive number, not {value!r}.")
        return value

    def optional_datetime(self, key: str) -> dt.datetime | None:
        value = self.data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            parsed = value
        elif isinstance(value, dt.date):
            parsed = dt.datetime.combine(value, dt.time())
        else:
            try:
                parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                raise BundleError(
                    f"'{key}' must be a date like 2026-01-01T00:00:00Z, not {value!r}."
                ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def path(self, key: str, *, required: bool = False) -> Path | None:
        value = self.data.get(key)
        if not value:
            if required:
                raise BundleError(f"{MANIFEST} needs '{key}'.")
            return None
        return self._existing(str(value), key)

    def markdown(self, key: str) -> str:
        return self.markdown_in(self.data, key)

    def markdown_in(self, data: dict[str, Any], key: str) -> str:
        value = data.get(key)
        if not value:
            return ""
        text = str(value)
        if text.endswith(".md") and "\n" not in text:
            return self._existing(text, key).read_text(encoding="utf-8")
        return text

    def file_entry(self, index: int, entry: Any) -> BundleFile:
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict) or not entry.get("path"):
            raise BundleError(f"files[{index}] needs a path.")
        kind = str(entry.get("kind") or "other")
        if kind not in FILE_KINDS:
            raise BundleError(f"files[{index}] has kind '{kind}'; use one of {', '.join(FILE_KINDS)}.")
        path = self._existing(str(entry["path"]), f"files[{index}]")
        return BundleFile(
            path=path,
            name=str(entry.get("name") or path.name),
            kind=kind,
            description=str(entry.get("description") or ""),
        )

    def _existing(self, relative: str, key: str) -> Path:
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root.resolve()):
            raise BundleError(f"'{key}' points outside the bundle: {relative}")
        if not candidate.is_file():
            raise BundleError(f"'{key}' names {relative}, which is not in the bundle.")
        return candidate


def _with_usage_column(bundle: Bundle, dest: Path) -> Path:
    """Mark a fixed, seeded fraction of the solution's rows Public and the rest Private."""
    try:
        solution = pd.read_csv(bundle.solution, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"The solution {bundle.solution.name} cannot be read as CSV: {exc}") from None
    order = np.random.default_rng(bundle.split_seed).permutation(len(solution))
    usage = np.full(len(solution), "Private", dtype=object)
    usage[order[: round(len(solution) * bundle.public_fraction)]] = "Public"
    solution["Usage"] = usage
    solution.to_csv(dest, index=False)
    return dest


def _test_ids(bundle: Bundle) -> list[str] | None:
    for item in bundle.files:
        if item.kind != "test" or not item.name.lower().endswith(".csv"):
            continue
        with item.path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            if bundle.id_column in header:
                position = header.index(bundle.id_column)
                return [row[position].strip() for row in reader if row]
    return None


def write_bundle_manifest(dest: Path, manifest: dict[str, Any]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MANIFEST).write_text(
        yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def zip_folder(folder: Path, archive: Path) -> Path:
    return Path(shutil.make_archive(str(archive.with_suffix("")), "zip", root_dir=folder))
