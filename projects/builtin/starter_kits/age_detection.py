"""Starter kit for Age Detection: hand-made colour and edge features, then logistic regression.

Usage: python starter.py [DATA_DIR] [OUTPUT_CSV]
  DATA_DIR   the folder with the downloaded files (default: the current folder)
  OUTPUT_CSV where to write the submission (default: submission.csv)

Needs only numpy, pandas, pillow and scikit-learn; no GPU. Runs in a few seconds.
Works unchanged on AV's real files (train.csv, test.csv and the Train/ and Test/ image folders).
"""

import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
output_csv = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("submission.csv")
SIDE = 64  # every image is brought to this size; AV's real photos come in many sizes

train = pd.read_csv(data_dir / "train.csv")  # ID, Class
test = pd.read_csv(data_dir / "test.csv")  # ID


def read_images(folder_name, zip_name, ids):
    """Yield each image's bytes from the unpacked folder (Train/, Test/) if present, else from the zip."""
    folder = data_dir / folder_name
    if folder.is_dir():
        for image_id in ids:
            yield (folder / image_id).read_bytes()
        return
    with zipfile.ZipFile(data_dir / zip_name) as archive:
        for image_id in ids:
            yield archive.read(f"{folder_name}/{image_id}")


def features(jpeg_bytes):
    """Describe a face by what changes with age: hair and skin colour, and lines (edges).

    Grey hair is bright and colourless, so a histogram of saturation against brightness in the top, middle
    and bottom of the picture picks it up. Wrinkles and receding hairlines are edges, so a histogram of edge
    directions in each 8x8-pixel cell (the idea behind HOG features) picks those up.
    """
    image = Image.open(io.BytesIO(jpeg_bytes)).convert("RGB").resize((SIDE, SIDE))
    hsv = np.asarray(image.convert("HSV"), dtype=np.float32) / 255
    saturation, brightness = hsv[..., 1], hsv[..., 2]
    colour = []
    for band in np.array_split(np.arange(SIDE), 3):
        counts, _, _ = np.histogram2d(
            saturation[band].ravel(), brightness[band].ravel(), bins=6, range=[[0, 1], [0, 1]]
        )
        colour.append(counts.ravel() / counts.sum())

    grey = np.asarray(image.convert("L"), dtype=np.float32) / 255
    dy, dx = np.gradient(grey)
    strength = np.hypot(dx, dy)
    direction = np.minimum((np.mod(np.arctan2(dy, dx), np.pi) / np.pi * 6).astype(int), 5)
    cell = (np.arange(SIDE) // 8)[:, None] * (SIDE // 8) + (np.arange(SIDE) // 8)[None, :]
    edges = np.bincount(
        (cell * 6 + direction).ravel(), weights=strength.ravel(), minlength=(SIDE // 8) ** 2 * 6
    )
    edges /= np.linalg.norm(edges) + 1e-6  # so lighting and contrast matter less
    return np.concatenate(colour + [edges])


X_train = np.stack([features(data) for data in read_images("Train", "train_images.zip", train["ID"])])
X_test = np.stack([features(data) for data in read_images("Test", "test_images.zip", test["ID"])])

# Strong regularisation (small C): about 500 features for 3,000 faces would otherwise overfit.
model = make_pipeline(StandardScaler(), LogisticRegression(C=0.02, max_iter=3000))
model.fit(X_train, train["Class"])

submission = pd.DataFrame({"ID": test["ID"], "Class": model.predict(X_test)})
submission.to_csv(output_csv, index=False)
print(f"wrote {len(submission)} predictions to {output_csv}")
