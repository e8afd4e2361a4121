"""Age Detection: Analytics Vidhya's layout exactly, on drawn faces standing in for the actors' photos.

AV's images of Indian film actors cannot be redistributed, so the pictures are generated (see faces.py), but
every file, column, class name and folder name is AV's: a host who has AV's files can put them in place of
these ones (description.md explains how).
"""

from __future__ import annotations

from pathlib import Path

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
from projects.builtin.faces import IMAGE_SIZE, draw_face

SLUG = "age-detection"
CLASSES = ("YOUNG", "MIDDLE", "OLD")
# Roughly AV's class balance (34% / 54% / 12% of its 19,906 training images), over a few thousand images.
CLASS_COUNTS = {"YOUNG": 1_360, "MIDDLE": 2_160, "OLD": 480}
AGE_RANGES = {"YOUNG": (16.0, 30.0), "MIDDLE": (30.0, 50.0), "OLD": (50.0, 80.0)}
TRAIN_COUNT = 3_000
LAYOUT_SEED = 20260201
FACE_SEED = 20260202
USAGE_SEED = 20260203
TRAIN_ZIP = "data/train_images.zip"
TEST_ZIP = "data/test_images.zip"
# The starter kit scores about 0.73 accuracy on the test set; the docs and tests promise at least this.
BASELINE_MIN_ACCURACY = 0.7


def generate_people() -> pd.DataFrame:
    """Return one row per person: ID (AV-style file name), Class, age and the JPEG bytes of their face."""
    layout = np.random.default_rng(LAYOUT_SEED)
    classes = np.repeat(CLASSES, [CLASS_COUNTS[name] for name in CLASSES])
    layout.shuffle(classes)
    # AV's IDs are image numbers in no particular order, e.g. 377.jpg.
    ids = [f"{number}.jpg" for number in layout.permutation(len(classes))]
    ages, faces = [], []
    for index, label in enumerate(classes):
        # One generator per face, so each image depends on its index alone.
        rng = np.random.default_rng([FACE_SEED, index])
        age = rng.uniform(*AGE_RANGES[label])
        ages.append(age)
        faces.append(draw_face(age, rng))
    return pd.DataFrame({"ID": ids, "Class": classes, "age": ages, "jpeg": faces})


def build(dest: Path) -> Path:
    """Write the age-detection bundle to dest/age-detection and return that folder."""
    people = generate_people()
    train, test = people.iloc[:TRAIN_COUNT], people.iloc[TRAIN_COUNT:]

    writer = BundleWriter(dest / SLUG)
    writer.add_csv(
        "data/train.csv",
        train[["ID", "Class"]],
        kind="train",
        description="ID (image file name) and Class (YOUNG, MIDDLE or OLD) of each training face.",
    )
    writer.add_csv(
        "data/test.csv", test[["ID"]], kind="test", description="IDs of the test faces to classify."
    )
    writer.add_csv(
        "data/sample_submission.csv",
        test[["ID"]].assign(Class="MIDDLE"),
        kind="sample_submission",
        description="A valid submission: every face guessed MIDDLE, the most common class.",
    )
    writer.add_zip(
        TRAIN_ZIP,
        ((f"Train/{name}", face) for name, face in zip(train["ID"], train["jpeg"], strict=True)),
        kind="images",
        description=f"Training faces: Train/<ID>, {IMAGE_SIZE}x{IMAGE_SIZE} colour JPEGs.",
    )
    writer.add_zip(
        TEST_ZIP,
        ((f"Test/{name}", face) for name, face in zip(test["ID"], test["jpeg"], strict=True)),
        kind="images",
        description=f"Test faces: Test/<ID>, {IMAGE_SIZE}x{IMAGE_SIZE} colour JPEGs.",
    )
    writer.add_starter_kit("age_detection")
    writer.write_csv(
        SOLUTION_PATH,
        test[["ID", "Class"]].assign(Usage=public_private_usage(len(test), seed=USAGE_SEED)),
    )
    counts = train["Class"].value_counts()
    writer.write_texts(
        SLUG,
        {
            "train_count": f"{len(train):,}",
            "test_count": f"{len(test):,}",
            "image_size": IMAGE_SIZE,
            **{f"train_{name.lower()}": f"{counts[name]:,}" for name in CLASSES},
            "baseline_min_accuracy": f"{BASELINE_MIN_ACCURACY:.2f}",
            "submission_example": "\n".join(
                f"{image_id},{label}" for image_id, label in zip(test["ID"][:3], CLASSES, strict=False)
            ),
        },
    )
    writer.run_starter_kit()
    writer.write_manifest(
        {
            "slug": SLUG,
            "title": "Age Detection",
            "level": "intermediate",
            "summary": "Tell from a face whether a person is young, middle-aged or old (synthetic faces).",
            "description": "description.md",
            "evaluation": "evaluation.md",
            "metric": "accuracy",
            "extra_metrics": ["balanced_accuracy", "f1_macro"],
            "id_column": "ID",
            "target_column": "Class",
            "solution_id_column": "ID",
            "solution_target_column": "Class",
            "allowed_labels": list(CLASSES),
            "positive_label": None,
            "split": {"usage_column": "Usage"},
            **PRACTICE_SCHEDULE,
            "dataset": {
                "slug": "age-detection-synthetic-faces",
                "title": "Synthetic faces for age detection (stand-in for AV's Indian actors)",
                "description": "dataset.md",
                "source": "Generated by this hub (projects/builtin/faces.py); layout of Analytics Vidhya's "
                "'Age Detection of Indian Actors' practice problem",
                "licence": "CC0 1.0 (generated data; no real person is depicted)",
                "synthetic": True,
            },
            "solution": SOLUTION_PATH,
            "starter_kit": STARTER_KIT_PATH,
            "baseline": BASELINE_PATH,
            "tracks": first_steps(SLUG),
            "featured_order": FIRST_STEPS_ORDER.index(SLUG) + 1,
        }
    )
    return writer.root
