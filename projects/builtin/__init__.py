"""The built-in practice challenges, written as challenge bundles (see bundle_writer.py for the format rules).

Pure Python: no Django. The importer calls a builder, or `build_all`, and caches the result itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from projects.builtin import age_detection, mnist, tabular

BUILTIN_CHALLENGES: dict[str, Callable[[Path], Path]] = {
    mnist.SLUG: mnist.build,
    age_detection.SLUG: age_detection.build,
    tabular.BREAST_CANCER_SLUG: tabular.build_breast_cancer,
    tabular.DIABETES_SLUG: tabular.build_diabetes,
}


def build_all(dest: Path) -> list[Path]:
    """Build every built-in challenge under dest (one folder per slug) and return the bundle folders."""
    return [build(dest) for build in BUILTIN_CHALLENGES.values()]
