"""Starter kit for Breast Cancer Diagnosis: logistic regression on three of the 30 measurements.

Usage: python starter.py [DATA_DIR] [OUTPUT_CSV]
  DATA_DIR   the folder with train.csv and test.csv (default: the current folder)
  OUTPUT_CSV where to write the submission (default: submission.csv)

Needs only pandas and scikit-learn; runs in a second or two.
"""

import sys
from pathlib import Path

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
output_csv = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("submission.csv")

train = pd.read_csv(data_dir / "train.csv")
test = pd.read_csv(data_dir / "test.csv")
# Three of the thirty measurements, chosen to leave you room: the size of the nuclei (radius, perimeter, area) and
# the shape of their outline (concavity, concave points) tell malignant from benign far better. Try
#   features = [column for column in train.columns if column not in ("id", "diagnosis")]
features = ["texture_mean", "smoothness_mean", "symmetry_mean"]

# The measurements range from 0.001 to 2,500, so scale them first: otherwise the regularisation would
# punish the small-valued ones far more than the large ones.
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
model.fit(train[features], train["diagnosis"])

# ROC AUC scores how well the predictions rank malignant above benign, so submit the probability of "M"
# rather than a hard label: a 0/1 answer throws the ranking away.
malignant = list(model.classes_).index("M")
probability = model.predict_proba(test[features])[:, malignant]

submission = pd.DataFrame({"id": test["id"], "diagnosis": probability.round(6)})
submission.to_csv(output_csv, index=False)
print(f"wrote {len(submission)} predictions to {output_csv}")
