"""Beginner tabular problems on real data that scikit-learn ships (its bundled files; nothing is downloaded).

Each is laid out as on Kaggle: train.csv with `id` and the target, test.csv without it, sample_submission.csv.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from projects.builtin.bundle_writer import (
    BASELINE_PATH,
    FIRST_STEPS_ORDER,
    PRACTICE_SCHEDULE,
    SOLUTION_PATH,
    STARTER_KIT_PATH,
    BundleWriter,
    first_steps,
    public_private_usage,
)

TEST_FRACTION = 0.3


@dataclass(frozen=True)
class TabularProblem:
    slug: str
    starter_kit: str  # module in starter_kits/
    target: str
    data: pd.DataFrame  # the features and the target, one row per example, no id yet
    sample_prediction: Any  # the constant that fills sample_submission.csv
    stratify: bool
    seed: int
    title: str
    summary: str
    metric: str
    extra_metrics: list[str]
    allowed_labels: list[str] | None
    positive_label: str | None
    dataset: dict[str, str]


def _integral_columns_as_int(frame: pd.DataFrame) -> pd.DataFrame:
    """scikit-learn returns floats throughout; write `59`, not `59.0`, where a column holds whole numbers."""
    converted = frame.copy()
    for column in converted.columns:
        values = converted[column]
        if values.dtype.kind == "f" and np.all(values == np.round(values)):
            converted[column] = values.astype(np.int64)
    return converted


def _write(
    dest: Path,
    problem: TabularProblem,
    text_values: dict[str, Any],
    measure: Callable[[pd.DataFrame, pd.DataFrame], dict[str, Any]] | None = None,
) -> Path:
    """``measure(solution, baseline)`` gives text values measured on the starter kit's output."""
    # scikit-learn is imported where it is used, here and below: the web process imports this package (the
    # built-in slugs, the bundle writer) but builds nothing, and scikit-learn with SciPy was about half of its
    # start-up imports (BENCHMARKS.md, first run).
    from sklearn.model_selection import train_test_split

    # Shuffle before numbering so that ids say nothing about the source's row order.
    data = problem.data.sample(frac=1, random_state=problem.seed).reset_index(drop=True)
    data.insert(0, "id", np.arange(1, len(data) + 1))
    train, test = train_test_split(
        data,
        test_size=TEST_FRACTION,
        random_state=problem.seed,
        stratify=data[problem.target] if problem.stratify else None,
    )
    train, test = train.sort_values("id"), test.sort_values("id")

    writer = BundleWriter(dest / problem.slug)
    writer.add_csv(
        "data/train.csv", train, kind="train", description="Training rows: id, the features and the target."
    )
    writer.add_csv(
        "data/test.csv",
        test.drop(columns=problem.target),
        kind="test",
        description="Test rows: id and the features; predict the target for each.",
    )
    writer.add_csv(
        "data/sample_submission.csv",
        pd.DataFrame({"id": test["id"], problem.target: problem.sample_prediction}),
        kind="sample_submission",
        description="A valid submission with the same constant prediction for every row.",
    )
    writer.add_starter_kit(problem.starter_kit)
    solution = test[["id", problem.target]].assign(
        Usage=public_private_usage(len(test), seed=problem.seed + 1)
    )
    writer.write_csv(SOLUTION_PATH, solution)
    baseline = writer.run_starter_kit()
    if measure is not None:
        text_values = text_values | measure(solution, pd.read_csv(baseline))
    # The docs show the starter kit's first rows as the example of a submission.
    example = "\n".join(baseline.read_text().splitlines()[1:4])
    writer.write_texts(
        problem.slug,
        {
            "train_count": len(train),
            "test_count": len(test),
            "public_count": round(len(test) * 0.4),
            "submission_example": example,
            **text_values,
        },
    )
    writer.write_manifest(
        {
            "slug": problem.slug,
            "title": problem.title,
            "level": "beginner",
            "summary": problem.summary,
            "description": "description.md",
            "evaluation": "evaluation.md",
            "metric": problem.metric,
            "extra_metrics": problem.extra_metrics,
            "id_column": "id",
            "target_column": problem.target,
            "solution_id_column": "id",
            "solution_target_column": problem.target,
            # Labels only mean something for classification; a regression bundle leaves them out.
            **({"allowed_labels": problem.allowed_labels} if problem.allowed_labels else {}),
            "positive_label": problem.positive_label,
            "split": {"usage_column": "Usage"},
            **PRACTICE_SCHEDULE,
            "dataset": problem.dataset,
            "solution": SOLUTION_PATH,
            "starter_kit": STARTER_KIT_PATH,
            "baseline": BASELINE_PATH,
            "tracks": first_steps(problem.slug),
            "featured_order": FIRST_STEPS_ORDER.index(problem.slug) + 1,
        }
    )
    return writer.root


BREAST_CANCER_SLUG = "breast-cancer-diagnosis"
# The starter kit uses three of the thirty measurements on purpose, so that its baseline leaves room to improve
# (with all thirty, a logistic regression ranks every Public row right: ROC AUC 1). The tests hold its public ROC
# AUC between these two.
BREAST_CANCER_BASELINE_MIN_AUC = 0.80
BREAST_CANCER_BASELINE_MAX_AUC = 0.92


def breast_cancer_public_auc(solution: pd.DataFrame, baseline: pd.DataFrame) -> float:
    """The starter kit's ROC AUC on the Public rows: the score the leaderboard shows for it."""
    from sklearn.metrics import roc_auc_score

    merged = solution.merge(baseline, on="id", suffixes=("", "_predicted"))
    public = merged[merged["Usage"] == "Public"]
    return float(roc_auc_score(public["diagnosis"] == "M", public["diagnosis_predicted"].astype(float)))


def _kaggle_wdbc_name(sklearn_name: str) -> str:
    """'mean radius' -> 'radius_mean', 'radius error' -> 'radius_se', 'worst radius' -> 'radius_worst'.

    These are the column names of the Kaggle copy of the same data that most tutorials use.
    """
    if sklearn_name.startswith("mean "):
        return sklearn_name.removeprefix("mean ").replace(" ", "_") + "_mean"
    if sklearn_name.startswith("worst "):
        return sklearn_name.removeprefix("worst ").replace(" ", "_") + "_worst"
    return sklearn_name.removesuffix(" error").replace(" ", "_") + "_se"


def build_breast_cancer(dest: Path) -> Path:
    """Write the breast-cancer-diagnosis bundle to dest/breast-cancer-diagnosis and return that folder."""
    from sklearn.datasets import load_breast_cancer

    source = load_breast_cancer(as_frame=True)
    features = source.data.rename(columns=_kaggle_wdbc_name)
    # scikit-learn codes malignant as 0 and benign as 1; the original data and Kaggle use M and B.
    diagnosis = np.where(source.target == 0, "M", "B")
    problem = TabularProblem(
        slug=BREAST_CANCER_SLUG,
        starter_kit="breast_cancer_diagnosis",
        target="diagnosis",
        data=features.assign(diagnosis=diagnosis),
        sample_prediction=0.5,
        stratify=True,
        seed=20260301,
        title="Breast Cancer Diagnosis",
        summary="Predict whether a breast mass is malignant from measurements of its cell nuclei.",
        metric="roc_auc",
        extra_metrics=["log_loss_binary"],
        allowed_labels=["B", "M"],
        positive_label="M",
        dataset={
            "slug": "breast-cancer-wisconsin-diagnostic",
            "title": "Breast Cancer Wisconsin (Diagnostic)",
            "description": "dataset.md",
            "source": "https://archive.ics.uci.edu/dataset/17/breast+cancer+wisconsin+diagnostic "
            "(W. Wolberg, O. Mangasarian, N. Street, W. Street, 1995), as shipped with scikit-learn",
            "licence": "CC BY 4.0",
        },
    )
    return _write(
        dest,
        problem,
        {"baseline_min_auc": f"{BREAST_CANCER_BASELINE_MIN_AUC:.2f}"},
        measure=lambda solution, baseline: {
            "baseline_public_auc": f"{breast_cancer_public_auc(solution, baseline):.3f}"
        },
    )


DIABETES_SLUG = "diabetes-progression"
# The starter kit's RMSE on the test set is about 55; the docs and tests promise at most this.
DIABETES_BASELINE_MAX_RMSE = 60.0
# scikit-learn's s1..s6 are six blood serum measurements; name them as the original study does.
DIABETES_SERUM_NAMES = {"s1": "tc", "s2": "ldl", "s3": "hdl", "s4": "tch", "s5": "ltg", "s6": "glu"}


def build_diabetes(dest: Path) -> Path:
    """Write the diabetes-progression bundle to dest/diabetes-progression and return that folder."""
    from sklearn.datasets import load_diabetes

    # scaled=False gives the measurements in their real units (years, mg/dL, ...) rather than standardised.
    source = load_diabetes(as_frame=True, scaled=False)
    data = _integral_columns_as_int(
        source.data.rename(columns=DIABETES_SERUM_NAMES).assign(progression=source.target)
    )
    problem = TabularProblem(
        slug=DIABETES_SLUG,
        starter_kit="diabetes_progression",
        target="progression",
        data=data,
        sample_prediction=int(round(data["progression"].mean())),
        stratify=False,
        seed=20260401,
        title="Diabetes Progression",
        summary="Predict how far diabetes progresses in a year from ten measurements at baseline.",
        metric="rmse",
        extra_metrics=["mae", "r2"],
        allowed_labels=None,
        positive_label=None,
        dataset={
            "slug": "diabetes-efron-2004",
            "title": "Diabetes (Efron, Hastie, Johnstone and Tibshirani, 2004)",
            "description": "dataset.md",
            "source": "https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html (Efron et al., 2004, "
            "'Least Angle Regression'), as shipped with scikit-learn",
            "licence": "Published with the paper for research and teaching; redistributed in "
            "scikit-learn (BSD-3-Clause)",
        },
    )
    return _write(dest, problem, {"baseline_max_rmse": f"{DIABETES_BASELINE_MAX_RMSE:.0f}"})
