"""Write a challenge back out as a bundle (a folder, or a zip when the path ends in .zip).

Importing the result gives the same challenge: same settings, files, solution (with its Usage column, so the split
is kept exactly), starter kit and baseline.
"""

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.db.models.fields.files import FieldFile

from submissions.models import Submission

from .bundles import write_bundle_manifest, zip_folder
from .models import Challenge
from .selectors import challenge_data_files


def challenge_export_bundle(challenge: Challenge, dest: str | Path) -> Path:
    dest = Path(dest)
    if dest.suffix.lower() != ".zip":
        _write_folder(challenge, dest)
        return dest
    with tempfile.TemporaryDirectory(prefix="export-") as tmp:
        folder = Path(tmp) / challenge.slug
        _write_folder(challenge, folder)
        return zip_folder(folder, dest)


def _copy_out(field_file: FieldFile, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Through the field's own storage: solutions live apart from dataset files (hub/storage.py).
    with field_file.storage.open(field_file.name, "rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)


def _write_folder(challenge: Challenge, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for data_file in challenge_data_files(challenge):
        _copy_out(data_file.file, folder / "data" / data_file.name)
        entry = {"path": f"data/{data_file.name}", "kind": data_file.kind}
        if data_file.description:
            entry["description"] = data_file.description
        files.append(entry)
    solution_name = Path(challenge.solution.file.name).name
    _copy_out(challenge.solution.file, folder / "solution" / solution_name)
    (folder / "description.md").write_text(challenge.description, encoding="utf-8")
    (folder / "evaluation.md").write_text(challenge.evaluation, encoding="utf-8")
    (folder / "dataset.md").write_text(challenge.dataset.description, encoding="utf-8")

    manifest: dict[str, Any] = {
        "slug": challenge.slug,
        "title": challenge.title,
        "level": challenge.level,
        "summary": challenge.summary,
        "description": "description.md",
        "evaluation": "evaluation.md",
        "metric": challenge.metric,
        "extra_metrics": list(challenge.extra_metrics),
        "id_column": challenge.id_column,
        "target_column": challenge.target_column,
        "solution_id_column": challenge.solution_id_column,
        "solution_target_column": challenge.solution_target_column,
        "allowed_labels": list(challenge.allowed_labels),
        "positive_label": challenge.positive_label or None,
        "k": challenge.metric_k,
        "formats": list(challenge.extra_formats),
        "split": {"usage_column": "Usage"},
        "start": _iso(challenge.start_at),
        "end": _iso(challenge.end_at),
        "daily_limit": challenge.daily_limit,
        "total_limit": challenge.total_limit,
        "max_upload_mb": challenge.max_upload_bytes / (1024 * 1024),
        "insight": challenge.insight_enabled,
        "featured_order": challenge.featured_order,
        "visibility": str(challenge.visibility),
        "dataset": {
            "slug": challenge.dataset.slug,
            "title": challenge.dataset.title,
            "description": "dataset.md",
            "source": challenge.dataset.source,
            "licence": challenge.dataset.licence,
            "synthetic": challenge.dataset.is_synthetic,
        },
        "files": files,
        "solution": f"solution/{solution_name}",
    }
    if challenge.starter_kit:
        (folder / "starter_kit").mkdir(exist_ok=True)
        (folder / "starter_kit" / "starter.py").write_text(challenge.starter_kit, encoding="utf-8")
        manifest["starter_kit"] = "starter_kit/starter.py"
    baseline = (
        Submission.objects.filter(challenge=challenge, is_baseline=True).order_by("-created_at").first()
    )
    if baseline is not None:
        _copy_out(baseline.file, folder / "baseline" / "submission.csv")
        manifest["baseline"] = "baseline/submission.csv"
    write_bundle_manifest(folder, manifest)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None
