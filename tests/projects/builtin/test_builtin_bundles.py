"""The built bundles are complete and consistent with their hidden solutions (their starter kits: test_starter_kits.py;
building them again to the byte: test_builtin_rebuild.py)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from projects.builtin import BUILTIN_CHALLENGES, age_detection, mnist, tabular
from tests.projects.builtin.bundle_checks import (
    public_file,
    read_csv,
)

SLUGS = sorted(BUILTIN_CHALLENGES)
REQUIRED_KEYS = [
    "slug", "title", "level", "summary", "description", "evaluation", "metric", "id_column", "target_column",
    "split", "start", "end", "daily_limit", "total_limit", "max_upload_mb", "dataset", "files", "solution",
    "starter_kit", "baseline",
]  # fmt: skip
# The scoring engine's keys these bundles may use; kept here so the test needs nothing but the bundle.
KNOWN_METRICS = {
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "log_loss_binary",
    "roc_auc",
    "rmse",
    "mae",
    "r2",
}
CLASSIFICATION_METRICS = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc"}
FILE_KINDS = {"train", "test", "sample_submission", "images", "other"}


def solution_of(folder: Path, manifest: dict) -> pd.DataFrame:
    return read_csv(folder / manifest["solution"])


def test_every_builtin_challenge_is_built_into_a_folder_named_by_its_slug(bundles):
    assert sorted(bundles) == SLUGS
    assert {"identify-the-digits", "age-detection", "breast-cancer-diagnosis", "diabetes-progression"} <= set(
        SLUGS
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_challenge_yaml_has_every_field_of_the_bundle_format(slug, manifests):
    manifest = manifests[slug]
    assert [key for key in REQUIRED_KEYS if key not in manifest] == []
    assert manifest["slug"] == slug
    assert manifest["level"] in {"beginner", "intermediate", "advanced"}
    assert {manifest["metric"], *manifest.get("extra_metrics", [])} <= KNOWN_METRICS
    assert manifest["split"] == {"usage_column": "Usage"}
    assert manifest["start"] == datetime(2026, 1, 1, tzinfo=UTC)
    assert manifest["end"] is None and manifest["total_limit"] is None
    assert manifest["daily_limit"] > 0 and manifest["max_upload_mb"] > 0
    assert all(manifest["dataset"].get(key) for key in ("slug", "title", "description", "source", "licence"))
    if manifest["metric"] in CLASSIFICATION_METRICS:
        assert manifest["allowed_labels"] and all(
            isinstance(label, str) for label in manifest["allowed_labels"]
        )
    else:
        assert "allowed_labels" not in manifest


@pytest.mark.parametrize("slug", SLUGS)
def test_every_file_the_manifest_names_exists_and_public_names_are_unique(slug, bundles, manifests):
    folder, manifest = bundles[slug], manifests[slug]
    named = [manifest[key] for key in ("description", "evaluation", "solution", "starter_kit", "baseline")]
    named += [manifest["dataset"]["description"]] + [entry["path"] for entry in manifest["files"]]
    assert [path for path in named if not (folder / path).is_file()] == []
    base_names = [Path(entry["path"]).name for entry in manifest["files"]]
    assert len(base_names) == len(set(base_names))
    assert {entry["kind"] for entry in manifest["files"]} <= FILE_KINDS
    assert all(entry["description"] for entry in manifest["files"])
    assert {"path": "starter_kit/starter.py", "kind": "other"}.items() <= next(
        entry for entry in manifest["files"] if entry["path"] == manifest["starter_kit"]
    ).items()
    assert manifest["solution"] not in named[5:], "the solution must never be a public file"
    for page in ("description", "evaluation"):
        text = (folder / manifest[page]).read_text()
        assert text.startswith("# ") and "$" not in text


@pytest.mark.parametrize("slug", SLUGS)
def test_test_ids_are_exactly_the_solution_ids(slug, bundles, manifests):
    folder, manifest = bundles[slug], manifests[slug]
    test = read_csv(public_file(folder, manifest, "test.csv"))
    solution = solution_of(folder, manifest)
    assert list(test[manifest["id_column"]]) == list(solution[manifest.get("solution_id_column", "id")])
    assert solution[manifest["solution_id_column"]].is_unique
    assert set(solution["Usage"]) == {"Public", "Private"}
    assert (solution["Usage"] == "Public").sum() == round(len(solution) * 0.4)


@pytest.mark.parametrize("submission", ["data/sample_submission.csv", "baseline/submission.csv"])
@pytest.mark.parametrize("slug", SLUGS)
def test_sample_submission_and_baseline_cover_every_test_id_once_with_valid_predictions(
    slug, submission, bundles, manifests
):
    folder, manifest = bundles[slug], manifests[slug]
    predictions = read_csv(folder / submission)
    solution = solution_of(folder, manifest)
    assert list(predictions.columns) == [manifest["id_column"], manifest["target_column"]]
    assert sorted(predictions[manifest["id_column"]]) == sorted(solution[manifest["solution_id_column"]])
    values = predictions[manifest["target_column"]]
    if manifest["metric"] == "roc_auc":
        assert values.astype(float).between(0, 1).all()
    elif "allowed_labels" in manifest:
        assert set(values) <= set(manifest["allowed_labels"])
    else:
        assert np.isfinite(values.astype(float)).all()


def test_the_solution_labels_are_the_allowed_labels(bundles, manifests):
    for slug in SLUGS:
        manifest = manifests[slug]
        if "allowed_labels" in manifest:
            solution = solution_of(bundles[slug], manifest)
            assert set(solution[manifest["solution_target_column"]]) == set(manifest["allowed_labels"]), slug


def test_both_digit_layouts_refer_to_the_same_images_and_hidden_labels(bundles, manifests):
    folder, manifest = bundles[mnist.SLUG], manifests[mnist.SLUG]
    test = read_csv(public_file(folder, manifest, "test.csv"))
    kaggle_test = pd.read_csv(public_file(folder, manifest, "kaggle_test.csv"))
    solution = solution_of(folder, manifest)
    assert list(kaggle_test.columns) == [f"pixel{index}" for index in range(784)]
    # ImageId i is row i of kaggle_test.csv, which is the image named in row i of test.csv.
    assert list(solution["ImageId"]) == [str(number) for number in range(1, len(kaggle_test) + 1)]
    assert list(solution["filename"]) == list(test["filename"])
    [extra] = manifest["formats"]
    assert (extra["id_column"], extra["target_column"], extra["solution_id_column"]) == (
        "ImageId",
        "Label",
        "ImageId",
    )

    with zipfile.ZipFile(public_file(folder, manifest, "digit_images.zip")) as archive:
        pngs = np.stack([_pixels(archive.read(f"Images/test/{name}")) for name in test["filename"]])
        assert np.array_equal(pngs.reshape(len(pngs), -1), kaggle_test.to_numpy())

        train = read_csv(public_file(folder, manifest, "train.csv"))
        kaggle_train = pd.read_csv(public_file(folder, manifest, "kaggle_train.csv"))
        assert list(kaggle_train["label"].astype(str)) == list(train["label"])
        pngs = np.stack([_pixels(archive.read(f"Images/train/{name}")) for name in train["filename"]])
        assert np.array_equal(pngs.reshape(len(pngs), -1), kaggle_train.drop(columns="label").to_numpy())


def test_the_digit_images_are_real_mnist_with_their_true_labels(bundles, manifests):
    folder, manifest = bundles[mnist.SLUG], manifests[mnist.SLUG]
    images, labels = mnist.load_mnist()
    by_bytes = {image.tobytes(): int(label) for image, label in zip(images, labels, strict=True)}
    solution = solution_of(folder, manifest)
    kaggle_test = pd.read_csv(public_file(folder, manifest, "kaggle_test.csv")).to_numpy(dtype=np.uint8)
    assert [by_bytes[row.tobytes()] for row in kaggle_test] == solution["label"].astype(int).tolist()
    train = read_csv(public_file(folder, manifest, "train.csv"))
    assert len(train) + len(solution) == len(labels) == 10_000


def _pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert (image.size, image.mode) == ((28, 28), "L")
    return np.asarray(image)


def test_age_detection_images_are_in_avs_folders_and_open_as_64_pixel_colour_jpegs(bundles, manifests):
    folder, manifest = bundles[age_detection.SLUG], manifests[age_detection.SLUG]
    layout = (("train.csv", "train_images.zip", "Train"), ("test.csv", "test_images.zip", "Test"))
    for table, zip_name, prefix in layout:
        ids = read_csv(public_file(folder, manifest, table))["ID"]
        assert ids.str.fullmatch(r"\d+\.jpg").all()
        with zipfile.ZipFile(public_file(folder, manifest, zip_name)) as archive:
            assert archive.namelist() == [f"{prefix}/{image_id}" for image_id in ids]
            for image_id in ids[:200]:
                image = Image.open(io.BytesIO(archive.read(f"{prefix}/{image_id}")))
                assert (image.format, image.size, image.mode) == ("JPEG", (64, 64), "RGB")


def test_age_detection_classes_keep_avs_balance(bundles, manifests):
    train = read_csv(public_file(bundles[age_detection.SLUG], manifests[age_detection.SLUG], "train.csv"))
    shares = train["Class"].value_counts(normalize=True)
    assert list(train.columns) == ["ID", "Class"]
    assert shares.idxmax() == "MIDDLE" and shares.idxmin() == "OLD"
    assert 0.45 < shares["MIDDLE"] < 0.65 and 0.08 < shares["OLD"] < 0.18


def test_tabular_files_have_kaggle_columns(bundles, manifests):
    folder, manifest = bundles[tabular.BREAST_CANCER_SLUG], manifests[tabular.BREAST_CANCER_SLUG]
    train = read_csv(public_file(folder, manifest, "train.csv"))
    assert (
        list(train.columns[:3]) == ["id", "radius_mean", "texture_mean"] and train.columns[-1] == "diagnosis"
    )
    assert "radius_se" in train.columns and "concave_points_worst" in train.columns
    assert set(train["diagnosis"]) == {"M", "B"}
    assert "diagnosis" not in read_csv(public_file(folder, manifest, "test.csv")).columns

    folder, manifest = bundles[tabular.DIABETES_SLUG], manifests[tabular.DIABETES_SLUG]
    train = read_csv(public_file(folder, manifest, "train.csv"))
    measurements = ["age", "sex", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu"]
    assert list(train.columns) == ["id", *measurements, "progression"]
    assert set(train["sex"]) == {"1", "2"}, "measurements are in their real units, not standardised"


def test_the_breast_cancer_baseline_leaves_room_that_all_the_measurements_fill(bundles, manifests):
    """Issue 19: a starter kit at ROC AUC 1 left nobody anything to improve."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    slug = tabular.BREAST_CANCER_SLUG
    folder, manifest = bundles[slug], manifests[slug]
    solution = pd.read_csv(folder / manifest["solution"])
    baseline = pd.read_csv(folder / manifest["baseline"])
    public_auc = tabular.breast_cancer_public_auc(solution, baseline)
    assert tabular.BREAST_CANCER_BASELINE_MIN_AUC <= public_auc <= tabular.BREAST_CANCER_BASELINE_MAX_AUC
    # A learner who uses every measurement does clearly better: the room is real.
    train = pd.read_csv(public_file(folder, manifest, "train.csv"))
    test = pd.read_csv(public_file(folder, manifest, "test.csv"))
    features = [column for column in train.columns if column not in ("id", "diagnosis")]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(
        train[features], train["diagnosis"]
    )
    better = pd.DataFrame({"id": test["id"], "diagnosis": model.predict_proba(test[features])[:, 1]})
    assert tabular.breast_cancer_public_auc(solution, better) >= public_auc + 0.05
    # The overview states the figure measured here.
    assert f"It scores {public_auc:.3f} ROC AUC on the Public rows" in (folder / "description.md").read_text()


def test_the_digits_overview_states_the_baselines_measured_accuracy(bundles, manifests):
    folder, manifest = bundles[mnist.SLUG], manifests[mnist.SLUG]
    solution = pd.read_csv(folder / manifest["solution"], dtype={"filename": str})
    baseline = pd.read_csv(folder / manifest["baseline"], dtype={"filename": str})
    accuracy = mnist.baseline_public_accuracy(solution, baseline)
    assert accuracy >= mnist.BASELINE_MIN_ACCURACY
    assert f"It scores {accuracy:.3f} accuracy on the Public rows" in (folder / "description.md").read_text()
