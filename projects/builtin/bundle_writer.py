"""Writing challenge bundles reproducibly: CSVs, zips, Markdown, challenge.yaml and the baseline.

Every builder goes through `BundleWriter`, so the rules that make a rebuild byte-identical to the last one
live here once: "\\n" line endings, zip entries with a fixed timestamp and mode in a fixed order, YAML keys
in the order given, and no clock or random state read anywhere.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import pandas as pd
import yaml

TEXTS_DIR = Path(__file__).resolve().parent / "texts"
STARTER_KITS_DIR = Path(__file__).resolve().parent / "starter_kits"

# The earliest time a zip entry can carry; any fixed value would do, this one is the format's own zero.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

# Settings shared by every built-in challenge: practice problems that open on a fixed date and never close.
PRACTICE_SCHEDULE: dict[str, Any] = {
    "start": datetime(2026, 1, 1, tzinfo=UTC),
    "end": None,
    "daily_limit": 10,
    "total_limit": None,
    "max_upload_mb": 20,
}

STARTER_KIT_PATH = "starter_kit/starter.py"
BASELINE_PATH = "baseline/submission.csv"
# The built-in learning path, in the order a newcomer should take the challenges.
FIRST_STEPS_ORDER = (
    "identify-the-digits",
    "breast-cancer-diagnosis",
    "diabetes-progression",
    "age-detection",
)


def first_steps(slug: str) -> list[dict[str, Any]]:
    """The `tracks` entry placing a built-in challenge on the "First steps" track."""
    return [
        {
            "slug": "first-steps",
            "title": "First steps",
            "summary": "Four small problems, from reading digits to guessing ages: labels, probabilities, "
            "numbers, images.",
            "position": FIRST_STEPS_ORDER.index(slug) + 1,
            "featured_order": 1,
        }
    ]


SOLUTION_PATH = "solution/solution.csv"


@dataclass(frozen=True)
class PublicFile:
    path: str
    kind: str  # train | test | sample_submission | images | other
    description: str


class _ManifestDumper(yaml.SafeDumper):
    """Writes datetimes as `2026-01-01T00:00:00Z`, the form the bundle format documents."""


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.strftime("%Y-%m-%dT%H:%M:%SZ"))


_ManifestDumper.add_representer(datetime, _represent_datetime)


def public_private_usage(count: int, *, seed: int, public_fraction: float = 0.4) -> np.ndarray:
    """Return a `Usage` column: round(count * public_fraction) random rows "Public", the rest "Private"."""
    usage = np.full(count, "Private", dtype=object)
    chosen = np.random.default_rng(seed).permutation(count)[: round(count * public_fraction)]
    usage[chosen] = "Public"
    return usage


class BundleWriter:
    """Collects one bundle's files under `root` and remembers which of them are public downloads."""

    def __init__(self, root: Path) -> None:
        # A stale file from an older build would otherwise ship silently, so start from an empty folder.
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        self.root = root
        self.public_files: list[PublicFile] = []

    def _target(self, relative: str) -> Path:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _publish(self, relative: str, kind: str, description: str) -> None:
        base_name = Path(relative).name
        if any(Path(existing.path).name == base_name for existing in self.public_files):
            raise ValueError(f"two public files are named {base_name!r}: downloads are saved by base name")
        self.public_files.append(PublicFile(relative, kind, description))

    def write_csv(self, relative: str, frame: pd.DataFrame) -> Path:
        target = self._target(relative)
        frame.to_csv(target, index=False, lineterminator="\n")
        return target

    def write_bytes(self, relative: str, content: bytes) -> Path:
        target = self._target(relative)
        target.write_bytes(content)
        return target

    def write_zip(self, relative: str, members: Iterable[tuple[str, bytes]]) -> Path:
        """Write members in the order given; already-compressed images are stored, the rest deflated."""
        target = self._target(relative)
        with zipfile.ZipFile(target, "w") as archive:
            for name, content in members:
                info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
                info.create_system = 3  # Unix, so the mode below is read back as a file mode everywhere
                info.external_attr = 0o644 << 16
                compressed = name.lower().endswith((".png", ".jpg", ".jpeg"))
                info.compress_type = zipfile.ZIP_STORED if compressed else zipfile.ZIP_DEFLATED
                archive.writestr(info, content)
        return target

    def add_csv(self, relative: str, frame: pd.DataFrame, *, kind: str, description: str) -> Path:
        self._publish(relative, kind, description)
        return self.write_csv(relative, frame)

    def add_zip(
        self, relative: str, members: Iterable[tuple[str, bytes]], *, kind: str, description: str
    ) -> Path:
        self._publish(relative, kind, description)
        return self.write_zip(relative, members)

    def add_chunks(self, relative: str, chunks: Iterable[bytes], *, kind: str, description: str) -> Path:
        """A public file streamed in (a host's upload), never held whole in memory."""
        self._publish(relative, kind, description)
        return self.write_chunks(relative, chunks)

    def write_chunks(self, relative: str, chunks: Iterable[bytes]) -> Path:
        target = self._target(relative)
        with target.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        return target

    def write_texts(self, slug: str, values: dict[str, Any]) -> None:
        """Copy texts/<slug>/*.md into the bundle, filling in `$name` placeholders (a missing one raises)."""
        for source in sorted((TEXTS_DIR / slug).glob("*.md")):
            text = Template(source.read_text(encoding="utf-8")).substitute(values)
            self._target(source.name).write_text(text, encoding="utf-8", newline="\n")

    def add_starter_kit(self, module_name: str) -> Path:
        """Copy starter_kits/<module_name>.py to the bundle and publish it, so learners can download it."""
        self._publish(
            STARTER_KIT_PATH, "other", "Starter kit: a commented baseline script that writes submission.csv"
        )
        return self.write_bytes(STARTER_KIT_PATH, (STARTER_KITS_DIR / f"{module_name}.py").read_bytes())

    def run_starter_kit(self, *, timeout_seconds: float = 300) -> Path:
        """Run the starter kit as a learner would and keep its output as the baseline.

        It runs in a scratch folder holding only the public files, under their download names, so the baseline
        proves the kit works from what learners get, and can never have read the solution.
        """
        with tempfile.TemporaryDirectory(prefix="starter-kit-") as scratch:
            scratch_dir = Path(scratch)
            for public in self.public_files:
                shutil.copyfile(self.root / public.path, scratch_dir / Path(public.path).name)
            output = scratch_dir / "submission.csv"
            run = subprocess.run(
                [sys.executable, "starter.py", str(scratch_dir), str(output)],
                cwd=scratch_dir,
                timeout=timeout_seconds,
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                raise RuntimeError(f"The starter kit of {self.root.name} failed:\n{run.stderr[-3000:]}")
            return self.write_bytes(BASELINE_PATH, output.read_bytes())

    def write_manifest(self, manifest: dict[str, Any]) -> Path:
        """Write challenge.yaml: `manifest` in its key order, the public files listed before `solution`."""
        ordered: dict[str, Any] = {}
        for key, value in manifest.items():
            if key == "solution":
                ordered["files"] = [asdict(public) for public in self.public_files]
            ordered[key] = value
        target = self._target("challenge.yaml")
        text = yaml.dump(ordered, Dumper=_ManifestDumper, sort_keys=False, allow_unicode=True, width=110)
        target.write_text(text, encoding="utf-8", newline="\n")
        return target
