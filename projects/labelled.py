"""A challenge from labelled data, the way a teacher has it: one labelled CSV, and optionally images whose file
names the id column lists. This module turns that into a challenge bundle (docs/challenge-bundles.md) and touches
no database: a stratified, seeded hold-out becomes the test part; the bundle holds train.csv, test.csv without the
labels, a sample submission, the hidden solution with its Public/Private split, and a simple baseline (the most
common class, or the mean) that the import scores like any submission.

The upload is the CSV itself or a zip holding one CSV and the images anywhere inside, so Analytics Vidhya's Age
Detection download (`train.csv` with `ID,Class` and a `Train/` folder of JPEGs) is used with no file edited.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from workers.scoring import METRICS

from .builtin.bundle_writer import BASELINE_PATH, SOLUTION_PATH, BundleWriter
from .bundles import BundleError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp")
MIN_ROWS = 10
MAX_LABELS = 1000


class LabelledDataError(BundleError):
    """The labelled data cannot become a challenge as given; the message says what to change."""


@dataclass(frozen=True)
class LabelledSpec:
    slug: str
    title: str
    id_column: str
    target_column: str
    metric: str = "accuracy"
    test_share: float = 0.2
    public_share: float = 0.5
    seed: int = 42
    visibility: str = "private"


def usable_metrics() -> list[str]:
    """The metrics a challenge from labelled data can use: one label or one number per row."""
    return sorted(
        key
        for key, metric in METRICS.items()
        if metric.reads in ("label", "number") and not metric.needs_positive_label and not metric.needs_k
    )


def _metric_kind(key: str) -> str:
    metric = METRICS.get(key)
    if metric is None:
        raise LabelledDataError(f"Unknown metric '{key}'. Known metrics: {', '.join(sorted(METRICS))}.")
    if metric.reads not in ("label", "number") or metric.needs_positive_label or metric.needs_k:
        raise LabelledDataError(
            f"{metric.name} needs more than a label per row (probabilities, a positive label or K): "
            f"use a bundle for it, or one of {', '.join(usable_metrics())}."
        )
    return metric.reads


def _read_table(source: Path) -> tuple[pd.DataFrame, dict[str, zipfile.ZipInfo], Path | None]:
    """The labelled table, the images of a zip by base name, and the zip (None for a bare CSV)."""
    if not zipfile.is_zipfile(source):
        return _read_csv(source.read_bytes(), source.name), {}, None
    with _readable_zip(source) as archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _hidden(m.filename)]
        csvs = [m for m in members if m.filename.lower().endswith(".csv")]
        if len(csvs) != 1:
            names = ", ".join(m.filename for m in csvs) or "none"
            raise LabelledDataError(f"The zip must hold exactly one labelled CSV; it holds {names}.")
        table = _read_csv(archive.read(csvs[0]), csvs[0].filename)
        images = {}
        for member in members:
            if member.filename.lower().endswith(IMAGE_SUFFIXES):
                images.setdefault(PurePosixPath(member.filename).name, member)
    return table, images, source


@contextlib.contextmanager
def _readable_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    """The zip open for reading; a damaged one (a bad CRC, a broken deflate stream, cut short) is the host's
    LabelledDataError, not a 500: is_zipfile reads only the directory at the end."""
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise LabelledDataError(
            "The zip is damaged (a file in it does not match its checksum or is cut short): "
            "make it again and upload it again."
        ) from None


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


def _read_csv(content: bytes, name: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as error:
        raise LabelledDataError(f"{name} cannot be read as a UTF-8 CSV: {error}") from None
    table.columns = [str(column).strip() for column in table.columns]
    return table


def _check_columns(table: pd.DataFrame, spec: LabelledSpec, kind: str) -> None:
    columns = ", ".join(table.columns)
    for role, column in (("id", spec.id_column), ("target", spec.target_column)):
        if column not in table.columns:
            raise LabelledDataError(f"There is no {role} column '{column}'. The CSV's columns: {columns}.")
    if spec.id_column == spec.target_column:
        raise LabelledDataError("The id and the target must be two different columns.")
    if len(table) < MIN_ROWS:
        raise LabelledDataError(f"The CSV has {len(table)} rows; a challenge needs at least {MIN_ROWS}.")
    ids = table[spec.id_column].str.strip()
    if (ids == "").any():
        raise LabelledDataError(f"Row {int((ids == '').idxmax()) + 2} has no {spec.id_column}.")
    repeated = ids[ids.duplicated()]
    if not repeated.empty:
        raise LabelledDataError(
            f"The id {repeated.iloc[0]!r} appears more than once; each id must be unique."
        )
    target = table[spec.target_column].str.strip()
    if (target == "").any():
        raise LabelledDataError(
            f"Row {int((target == '').idxmax()) + 2} has no {spec.target_column}: label every row."
        )
    if kind == "number":
        numbers = pd.to_numeric(target, errors="coerce")
        if numbers.isna().any():
            bad = target[numbers.isna()].iloc[0]
            raise LabelledDataError(
                f"{METRICS[spec.metric].name} needs numbers in {spec.target_column}, not {bad!r}."
            )
    elif target.nunique() > MAX_LABELS or target.nunique() < 2:
        raise LabelledDataError(
            f"{spec.target_column} has {target.nunique()} different labels; a classification needs 2 to {MAX_LABELS}."
        )
    if not 0.05 <= spec.test_share <= 0.5:
        raise LabelledDataError(f"The test share must be between 0.05 and 0.5, not {spec.test_share}.")


def _split(labels: pd.Series, share: float, seed: int, stratify: bool) -> tuple[pd.Index, pd.Index]:
    """A seeded split, stratified by label when every label has at least two rows (else plain)."""
    # Imported here, not at the top: this module is on every web process's import path (the hosting API), and
    # scikit-learn brings SciPy, about half of what a web process imports at start (BENCHMARKS.md, first run).
    from sklearn.model_selection import train_test_split

    can_stratify = stratify and labels.value_counts().min() >= 2
    first, second = train_test_split(
        labels.index, test_size=share, random_state=seed, stratify=labels if can_stratify else None
    )
    return pd.Index(sorted(first)), pd.Index(sorted(second))


def _image_of(image_id: str, images: dict[str, zipfile.ZipInfo]) -> zipfile.ZipInfo | None:
    if image_id in images:
        return images[image_id]
    stem = {PurePosixPath(name).stem: info for name, info in images.items()}
    return stem.get(image_id)


def bundle_from_labelled(*, source: Path, dest: Path, spec: LabelledSpec) -> Path:
    """Write the bundle folder for `spec` from the upload at `source`; returns the folder. LabelledDataError
    names the first problem found."""
    kind = _metric_kind(spec.metric)
    table, images, archive_path = _read_table(source)
    _check_columns(table, spec, kind)
    table[spec.id_column] = table[spec.id_column].str.strip()
    table[spec.target_column] = table[spec.target_column].str.strip()
    labels = table[spec.target_column]
    train_index, test_index = _split(labels, spec.test_share, spec.seed, stratify=kind == "label")
    train, test = table.loc[train_index], table.loc[test_index]
    public_index, _ = _split(
        test[spec.target_column], 1 - spec.public_share, spec.seed + 1, stratify=kind == "label"
    )
    usage = pd.Series("Private", index=test.index).where(~test.index.isin(public_index), "Public")

    writer = BundleWriter(dest)
    id_column, target_column = spec.id_column, spec.target_column
    writer.add_csv(
        "data/train.csv", train, kind="train", description=f"The labelled training rows ({len(train):,})."
    )
    writer.add_csv(
        "data/test.csv",
        test.drop(columns=[target_column]),
        kind="test",
        description=f"The test rows to predict ({len(test):,}), without {target_column}.",
    )
    if kind == "label":
        baseline_value = labels.loc[train_index].value_counts().sort_index().idxmax()
        baseline_text = f"every row guessed {baseline_value}, the most common class in train.csv"
    else:
        baseline_value = f"{pd.to_numeric(train[target_column]).mean():.6g}"
        baseline_text = f"every row predicted {baseline_value}, the mean of train.csv"
    sample = pd.DataFrame({id_column: test[id_column], target_column: baseline_value})
    writer.add_csv(
        "data/sample_submission.csv",
        sample,
        kind="sample_submission",
        description=f"A valid submission: {baseline_text}.",
    )
    if images:
        _add_images(writer, archive_path, images, train[id_column], "Train", "train")
        _add_images(writer, archive_path, images, test[id_column], "Test", "test")
    writer.write_csv(
        SOLUTION_PATH,
        pd.DataFrame({id_column: test[id_column], target_column: test[target_column], "Usage": usage}),
    )
    writer.write_bytes(BASELINE_PATH, sample.to_csv(index=False, lineterminator="\n").encode())
    allowed = sorted(labels.unique()) if kind == "label" else []
    writer.write_bytes("description.md", _description(spec, train, test, images, baseline_text).encode())
    writer.write_bytes(
        "evaluation.md",
        (
            f"Submissions are scored with **{METRICS[spec.metric].name}** on the hidden labels of test.csv: "
            f"one row per test `{id_column}` with your `{target_column}`. "
            f"{round(spec.public_share * 100)}% of the test rows score the public leaderboard, the rest the "
            "private one, shown at the end.\n"
        ).encode(),
    )
    writer.write_manifest(
        {
            "slug": spec.slug,
            "title": spec.title,
            "level": "beginner",
            "summary": f"Predict {target_column} from labelled data ({len(table):,} rows).",
            "description": "description.md",
            "evaluation": "evaluation.md",
            "metric": spec.metric,
            "id_column": id_column,
            "target_column": target_column,
            "allowed_labels": allowed,
            "visibility": spec.visibility,
            "dataset": {"slug": f"{spec.slug}-data", "title": f"{spec.title}: data"},
            "solution": SOLUTION_PATH,
            "baseline": BASELINE_PATH,
        }
    )
    return dest


def _add_images(
    writer: BundleWriter,
    archive_path: Path,
    images: dict[str, zipfile.ZipInfo],
    ids: pd.Series,
    folder: str,
    part: str,
) -> None:
    members = []
    for image_id in ids:
        info = _image_of(image_id, images)
        if info is None:
            raise LabelledDataError(
                f"No image for {image_id!r}: the zip's images must be named by the id column."
            )
        members.append((info, f"{folder}/{PurePosixPath(info.filename).name}"))
    with _readable_zip(archive_path) as archive:
        writer.add_zip(
            f"data/{part}_images.zip",
            ((name, archive.read(info)) for info, name in members),
            kind="images",
            description=f"The {part} images: {folder}/<file named in {ids.name}>.",
        )


def _description(spec: LabelledSpec, train, test, images, baseline_text: str) -> str:
    lines = [
        f"# {spec.title}\n",
        f"Predict **{spec.target_column}** for each row of `test.csv` from the {len(train):,} labelled rows of "
        f"`train.csv`.\n",
    ]
    if images:
        lines.append(
            f"Each row has an image: `train_images.zip` and `test_images.zip` hold them, named as "
            f"`{spec.id_column}` says.\n"
        )
    lines.append(f"The baseline on the leaderboard is {baseline_text}: beat it.\n")
    return "\n".join(lines)
