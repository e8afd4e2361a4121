"""Reading a built bundle the way a learner and the scorer see it: public files by download name, the solution."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score

from projects.builtin import age_detection, mnist, tabular


def read_csv(path: Path) -> pd.DataFrame:
    # Ids and labels are compared as text, as the scorer reads them.
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def public_file(folder: Path, manifest: dict, name: str) -> Path:
    """The public file downloaded as `name`."""
    [entry] = [entry for entry in manifest["files"] if Path(entry["path"]).name == name]
    return folder / entry["path"]


def copy_public_files(folder: Path, manifest: dict, dest: Path) -> Path:
    """Lay out the downloads as a learner has them: every public file under its base name, nothing else."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in manifest["files"]:
        shutil.copyfile(folder / entry["path"], dest / Path(entry["path"]).name)
    return dest


def run_starter_kit(downloads: Path, output: Path) -> None:
    subprocess.run(
        [sys.executable, "starter.py", str(downloads), str(output)],
        cwd=downloads,
        check=True,
        timeout=120,
        capture_output=True,
    )


def score(slug: str, solution: pd.DataFrame, submission: pd.DataFrame) -> float:
    """Score a primary-layout submission with scikit-learn, independently of the hub's scoring engine."""
    if slug == mnist.SLUG:
        merged = solution.merge(submission, on="filename", suffixes=("", "_predicted"))
        return accuracy_score(merged["label"].astype(int), merged["label_predicted"].astype(int))
    if slug == age_detection.SLUG:
        merged = solution.merge(submission, on="ID", suffixes=("", "_predicted"))
        return accuracy_score(merged["Class"], merged["Class_predicted"])
    if slug == tabular.BREAST_CANCER_SLUG:
        merged = solution.merge(submission, on="id", suffixes=("", "_predicted"))
        return roc_auc_score(merged["diagnosis"] == "M", merged["diagnosis_predicted"].astype(float))
    if slug == tabular.DIABETES_SLUG:
        merged = solution.merge(submission, on="id", suffixes=("", "_predicted"))
        truth, predicted = merged["progression"].astype(float), merged["progression_predicted"].astype(float)
        return float(np.sqrt(mean_squared_error(truth, predicted)))
    raise KeyError(slug)


# What each challenge's docs promise for its starter kit: (higher is better, threshold).
DOCUMENTED_BASELINE = {
    mnist.SLUG: (True, mnist.BASELINE_MIN_ACCURACY),
    age_detection.SLUG: (True, age_detection.BASELINE_MIN_ACCURACY),
    tabular.BREAST_CANCER_SLUG: (True, tabular.BREAST_CANCER_BASELINE_MIN_AUC),
    tabular.DIABETES_SLUG: (False, tabular.DIABETES_BASELINE_MAX_RMSE),
}


def meets_documented_baseline(slug: str, value: float) -> bool:
    higher_is_better, threshold = DOCUMENTED_BASELINE[slug]
    return value >= threshold if higher_is_better else value <= threshold
