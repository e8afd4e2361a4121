"""Each built-in challenge's starter kit, run as a learner runs it on the downloads alone, scores as its docs say.

A file of its own (not in test_builtin_bundles.py): the starter kits take about a minute together, and under
pytest-xdist's --dist=loadfile a file of its own runs beside the rest of the bundle checks, not after them."""

from __future__ import annotations

import pytest

from projects.builtin import BUILTIN_CHALLENGES
from tests.projects.builtin.bundle_checks import (
    copy_public_files,
    meets_documented_baseline,
    read_csv,
    run_starter_kit,
    score,
)

SLUGS = sorted(BUILTIN_CHALLENGES)


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_starter_kit_run_on_the_public_files_alone_scores_as_documented(slug, bundles, manifests, tmp_path):
    folder, manifest = bundles[slug], manifests[slug]
    downloads = copy_public_files(folder, manifest, tmp_path / "downloads")
    assert not any(downloads.glob("solution*"))
    run_starter_kit(downloads, tmp_path / "submission.csv")

    submission = read_csv(tmp_path / "submission.csv")
    value = score(slug, read_csv(folder / manifest["solution"]), submission)
    assert meets_documented_baseline(slug, value), f"{slug}: the starter kit scored {value:.4f}"
    # The shipped baseline is this very output.
    assert (tmp_path / "submission.csv").read_bytes() == (folder / manifest["baseline"]).read_bytes()
