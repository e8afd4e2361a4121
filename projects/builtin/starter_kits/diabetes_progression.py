"""Starter kit for Diabetes Progression: linear regression on the ten baseline measurements.

Usage: python starter.py [DATA_DIR] [OUTPUT_CSV]
  DATA_DIR   the folder with train.csv and test.csv (default: the current folder)
  OUTPUT_CSV where to write the submission (default: submission.csv)

Needs only pandas and scikit-learn; runs in a second or two.
"""

import sys
from pathlib import Path

import pandas as pd
from sklearn.linear_model import LinearRegression

data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
output_csv = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("submission.csv")

train = pd.read_csv(data_dir / "train.csv")
test = pd.read_csv(data_dir / "test.csv")
features = [column for column in train.columns if column not in ("id", "progression")]

# With 10 features and about 300 patients a straight line is hard to beat; BMI and the log triglycerides
# (ltg) carry most of the signal. Try regularised or non-linear models and compare them with
# cross-validation on train.csv before spending submissions.
model = LinearRegression()
model.fit(train[features], train["progression"])

submission = pd.DataFrame({"id": test["id"], "progression": model.predict(test[features]).round(3)})
submission.to_csv(output_csv, index=False)
print(f"wrote {len(submission)} predictions to {output_csv}")
