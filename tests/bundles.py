"""A small, complete challenge bundle for tests: ids 1..n, labels a/b/c, a seeded Public/Private split."""

from __future__ import annotations

import fcntl
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

LABELS = ["a", "b", "c"]


def truth(rows: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(id, label, usage) for every test row."""
    rng = random.Random(seed)
    return [(str(i), rng.choice(LABELS), "Public" if i % 2 else "Private") for i in range(1, rows + 1)]


def write_bundle(dest: Path, *, slug: str = "tiny", rows: int = 20, seed: int = 7, **manifest: Any) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "data").mkdir(exist_ok=True)
    rows_ = truth(rows, seed)
    (dest / "data" / "train.csv").write_text(
        "id,feature,label\n" + "".join(f"t{i},{i},a\n" for i in range(5))
    )
    (dest / "data" / "test.csv").write_text("id,feature\n" + "".join(f"{i},{i}\n" for i, _, _ in rows_))
    (dest / "data" / "sample_submission.csv").write_text(
        "id,label\n" + "".join(f"{i},a\n" for i, _, _ in rows_)
    )
    (dest / "solution.csv").write_text(
        "id,label,Usage\n" + "".join(f"{i},{lab},{u}\n" for i, lab, u in rows_)
    )
    (dest / "description.md").write_text(f"# {slug}\n\nA *tiny* test problem.\n")
    (dest / "evaluation.md").write_text("Accuracy on the test ids.\n")
    content = {
        "slug": slug,
        "title": f"Tiny {slug}",
        "level": "beginner",
        "summary": "A tiny test challenge.",
        "description": "description.md",
        "evaluation": "evaluation.md",
        "metric": "accuracy",
        "id_column": "id",
        "target_column": "label",
        "allowed_labels": LABELS,
        "daily_limit": 10,
        "dataset": {"slug": f"{slug}-data", "title": f"Tiny {slug} data", "licence": "CC0"},
        "files": [
            {"path": "data/train.csv", "kind": "train"},
            {"path": "data/test.csv", "kind": "test"},
            {"path": "data/sample_submission.csv", "kind": "sample_submission"},
        ],
        "solution": "solution.csv",
        **manifest,
    }
    (dest / "challenge.yaml").write_text(yaml.safe_dump(content, sort_keys=False))
    return dest


def predictions_csv(rows: int, *, correct: int, seed: int = 7) -> bytes:
    """A valid submission whose first `correct` rows are right and the rest wrong."""
    lines = ["id,label"]
    for position, (row_id, label, _) in enumerate(truth(rows, seed)):
        wrong = LABELS[(LABELS.index(label) + 1) % len(LABELS)]
        lines.append(f"{row_id},{label if position < correct else wrong}")
    return ("\n".join(lines) + "\n").encode()


def expected_scores(rows: int, *, correct: int, seed: int = 7) -> tuple[float, float]:
    """(public accuracy, private accuracy) of predictions_csv(rows, correct=correct)."""
    parts: dict[str, list[bool]] = {"Public": [], "Private": []}
    for position, (_, _, usage) in enumerate(truth(rows, seed)):
        parts[usage].append(position < correct)
    return (sum(parts["Public"]) / len(parts["Public"]), sum(parts["Private"]) / len(parts["Private"]))


def built_once(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """slug -> the built-in challenge's bundle, built by the first process of this test run that asks for it.

    The folder is the run's own (beside each xdist process's temporary folder, or in it without xdist) and the
    build runs under a file lock, with load_builtin_challenges' own cache (rebuilt if the builders change)."""
    from projects.builtin import BUILTIN_CHALLENGES
    from projects.management.commands.load_builtin_challenges import _sources_digest, built_bundle

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    cache = root / "builtin-bundles"
    cache.mkdir(exist_ok=True)
    digest = _sources_digest()

    def build(slug: str) -> Path:
        with (cache / f"{slug}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return built_bundle(slug, BUILTIN_CHALLENGES[slug], cache, digest)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    return build
