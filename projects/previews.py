"""Previews of a dataset's public files, computed once when a bundle is imported, never per page view.

Pure Python (pandas, pyarrow, Pillow): a file path in, a JSON-able dict out, so the pages only read a stored
field. Three shapes, told apart by "type":

- "table": a CSV's first rows (at most MAX_COLUMNS columns), its row and column counts, and, when it holds
  the target column, the class balance ("counts") or, for a numeric target with many values, a histogram.
- "archive": a zip's entry count, its first entry names, and a gallery of small thumbnails (base64) with
  their labels, taken from the training CSVs by file name.
- "unavailable": the file could not be previewed; "reason" says why. An import never fails for a preview.

Thumbnails live inside the preview itself, so serving one never opens a stored file: nothing but what was
previewed from a listed public file can be reached through them.
"""

from __future__ import annotations

import base64
import io
import math
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import pyarrow.csv as pa_csv
from PIL import Image

HEAD_ROWS = 5
MAX_COLUMNS = 10
MAX_CELL_CHARS = 40
# A target with more distinct numeric values than this is shown as a histogram, not a bar per value.
MAX_COUNTED_VALUES = 30
HISTOGRAM_BINS = 12
MAX_IMAGES = 20
THUMBNAIL_PIXELS = 64
SAMPLE_ENTRIES = 8
# Entries bigger than this (uncompressed) are not opened for a thumbnail: a preview must stay cheap.
MAX_IMAGE_ENTRY_BYTES = 5 * 1024 * 1024
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"}
CSV_SUFFIXES = (".csv", ".csv.gz")
GREY_MODES = {"1", "L", "LA", "I", "I;16"}


def _is_csv(path: Path) -> bool:
    return path.name.lower().endswith(CSV_SUFFIXES)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _read_columns(path: Path, columns: list[str]) -> pd.DataFrame:
    """Whole columns of a CSV as strings; pyarrow reads only these, however wide the file."""
    table = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            include_columns=columns, column_types=dict.fromkeys(columns, "string")
        ),
    )
    return table.to_pandas()


def _find_column(columns: Iterable[str], wanted: str | None) -> str | None:
    """The column named `wanted`, matched exactly first, then ignoring case (Kaggle writes `Label`)."""
    if not wanted:
        return None
    columns = list(columns)
    if wanted in columns:
        return wanted
    return next((c for c in columns if c.strip().lower() == wanted.strip().lower()), None)


def _natural_key(label: str) -> tuple:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def balance(values: pd.Series, column: str) -> dict[str, Any]:
    """How often each label occurs, or a histogram for a numeric target with many distinct values."""
    values = values.dropna().astype(str).str.strip()
    values = values[values != ""]
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all() and values.nunique() > MAX_COUNTED_VALUES:
        low, high = float(numbers.min()), float(numbers.max())
        edges = [low + (high - low) * i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)]
        counts = pd.cut(numbers, bins=edges, include_lowest=True).value_counts(sort=False).tolist()
        return {
            "type": "histogram",
            "column": column,
            "bins": [
                {"low": _round(edges[i]), "high": _round(edges[i + 1]), "count": int(counts[i])}
                for i in range(HISTOGRAM_BINS)
            ],
            "total": int(len(numbers)),
        }
    counts = values.value_counts()
    labels = sorted(counts.index, key=_natural_key)
    shown = labels[:MAX_COUNTED_VALUES]
    items = [[label, int(counts[label])] for label in shown]
    rest = int(counts[labels[MAX_COUNTED_VALUES:]].sum()) if len(labels) > MAX_COUNTED_VALUES else 0
    if rest:
        items.append(["(other)", rest])
    return {"type": "counts", "column": column, "counts": items, "total": int(counts.sum())}


def _round(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, max(0, 3 - int(math.floor(math.log10(abs(value))))))


def csv_preview(path: Path, *, target_column: str | None = None) -> dict[str, Any]:
    """The first rows and the counts; with `target_column` (training files only), also the class balance.

    A wide file shows its first MAX_COLUMNS columns, and the target as the last one wherever it is, with a
    "…" column standing for the ones left out before it.
    """
    head = pd.read_csv(path, nrows=HEAD_ROWS, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = [str(c) for c in head.columns]
    target = _find_column(columns, target_column)
    shown = list(range(min(len(columns), MAX_COLUMNS)))
    if target is not None and columns.index(target) >= MAX_COLUMNS:
        shown = [*shown[: MAX_COLUMNS - 1], -1, columns.index(target)]
    whole = _read_columns(path, list(dict.fromkeys([columns[0], target] if target else [columns[0]])))
    preview: dict[str, Any] = {
        "type": "table",
        "columns": [columns[i] if i >= 0 else "…" for i in shown],
        "more_columns": len(columns) - len([i for i in shown if i >= 0]),
        "rows": [[_cell(row[i]) if i >= 0 else "…" for i in shown] for row in head.itertuples(index=False)],
        "row_count": len(whole),
        "column_count": len(columns),
    }
    if target is not None:
        preview["balance"] = balance(whole[target], target)
    return preview


def labels_from_csvs(paths: Iterable[Path], *, id_column: str, target_column: str) -> dict[str, str]:
    """File name -> label, from every CSV that has both columns (the training files of an image dataset)."""
    labels: dict[str, str] = {}
    for path in paths:
        if not _is_csv(path):
            continue
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        id_name, target_name = _find_column(header, id_column), _find_column(header, target_column)
        if id_name is None or target_name is None or id_name == target_name:
            continue
        frame = _read_columns(path, [id_name, target_name])
        for name, label in zip(frame[id_name], frame[target_name], strict=True):
            if name is not None and label is not None:
                labels[PurePosixPath(str(name).strip()).name] = str(label).strip()
    return labels


def _thumbnail(data: bytes) -> dict[str, Any]:
    with Image.open(io.BytesIO(data)) as image:
        image.draft(image.mode, (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))  # a JPEG decodes at a reduced size
        image = image.convert("L" if image.mode in GREY_MODES else "RGB")
        image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        buffer = io.BytesIO()
        if image.mode == "L":
            image.save(buffer, format="PNG", optimize=True)
            mime = "image/png"
        else:
            image.save(buffer, format="JPEG", quality=82, optimize=True)
            mime = "image/jpeg"
        return {
            "mime": mime,
            "width": image.width,
            "height": image.height,
            "data": base64.b64encode(buffer.getvalue()).decode("ascii"),
        }


def _label_of(entry: str, labels: Mapping[str, str]) -> str | None:
    """The label of a zip entry, by file name (AV's `0.png`) or, failing that, by name without extension."""
    path = PurePosixPath(entry)
    return labels.get(path.name, labels.get(path.stem))


def _gallery_choice(names: list[str], labels: Mapping[str, str]) -> list[str]:
    """A few images of every label, in natural label order; without labels, the first images."""
    by_label: dict[str, list[str]] = {}
    for name in names:
        label = _label_of(name, labels)
        if label is not None:
            by_label.setdefault(label, []).append(name)
    if not by_label:
        return names[:MAX_IMAGES]
    ordered = sorted(by_label, key=_natural_key)
    per_label = max(1, MAX_IMAGES // len(ordered))
    # Round by round (one of each label, then the next of each), so any first few show every label.
    rounds = [[by_label[label][i] for label in ordered if i < len(by_label[label])] for i in range(per_label)]
    return [name for names in rounds for name in names][:MAX_IMAGES]


def zip_preview(path: Path, *, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    labels = labels or {}
    with zipfile.ZipFile(path) as archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        images = [
            info.filename
            for info in entries
            if PurePosixPath(info.filename).suffix.lower() in IMAGE_SUFFIXES
            and info.file_size <= MAX_IMAGE_ENTRY_BYTES
        ]
        gallery = []
        for name in _gallery_choice(images, labels):
            try:
                thumbnail = _thumbnail(archive.read(name))
            except (OSError, ValueError, Image.DecompressionBombError):
                continue  # one unreadable image leaves a gap in the gallery, nothing more
            gallery.append({"name": name, "label": _label_of(name, labels) or "", **thumbnail})
    return {
        "type": "archive",
        "entry_count": len(entries),
        "image_count": len(images),
        "sample_entries": [info.filename for info in entries[:SAMPLE_ENTRIES]],
        "images": gallery,
    }


class PreviewMaker:
    """Previews of one dataset's files. Labels for image galleries are read from the training CSVs once,
    and only if an archive needs them."""

    def __init__(self, train_files: Iterable[Path], *, id_column: str = "", target_column: str = ""):
        self.train_files = list(train_files)
        self.id_column = id_column
        self.target_column = target_column
        self._labels: dict[str, str] | None = None

    def labels(self) -> dict[str, str]:
        if self._labels is None:
            self._labels = (
                labels_from_csvs(self.train_files, id_column=self.id_column, target_column=self.target_column)
                if self.id_column and self.target_column
                else {}
            )
        return self._labels

    def preview(self, path: Path, *, kind: str = "other") -> dict[str, Any]:
        """Never raises for a bad file: a preview is a courtesy, and the file itself is still served.

        Only training files get a class balance: a sample submission's made-up labels would mislead.
        """
        try:
            if _is_csv(path):
                return csv_preview(path, target_column=self.target_column if kind == "train" else None)
            if zipfile.is_zipfile(path):
                return zip_preview(path, labels=self.labels())
        except Exception as error:  # noqa: BLE001 - any reader error ends as a note on the page
            return {"type": "unavailable", "reason": f"{type(error).__name__}: {error}"[:300]}
        return {"type": "unavailable", "reason": "No preview for this kind of file."}
