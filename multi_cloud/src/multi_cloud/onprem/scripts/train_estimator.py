"""Script-mode training of any estimator class named by dotted path, on CSV files in SM_CHANNEL_TRAIN.

Hyperparameters: --estimator sklearn.ensemble.RandomForestClassifier --params '{"n_estimators": 50}'
--label-column 0. Prints validation metrics and saves model.joblib into SM_MODEL_DIR, like train_sklearn.py.
"""

import argparse
import glob
import importlib
import json
import os
import sys

import joblib
import numpy as np


def load_csv(path: str) -> np.ndarray:
    """A numeric CSV file; a first line that is not numeric is taken as a header and skipped."""
    with open(path) as handle:
        first = handle.readline().strip().split(",")
    try:
        [float(v) for v in first]
        skip = 0
    except ValueError:
        skip = 1
    return np.loadtxt(path, delimiter=",", ndmin=2, skiprows=skip)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--estimator", required=True)
    parser.add_argument("--params", default="{}")
    parser.add_argument("--label-column", type=int, default=0)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "data"))
    args = parser.parse_args()

    files = sorted(glob.glob(os.path.join(args.train, "**", "*.csv"), recursive=True))
    if not files:
        sys.exit(f"no CSV files in the train channel {args.train}")
    data = np.vstack([load_csv(f) for f in files])
    if not -data.shape[1] <= args.label_column < data.shape[1]:
        sys.exit(f"label column {args.label_column} is outside the {data.shape[1]} CSV columns")
    labels = data[:, args.label_column]
    features = np.delete(data, args.label_column % data.shape[1], axis=1)

    module_name, _, class_name = args.estimator.rpartition(".")
    estimator_class = getattr(importlib.import_module(module_name), class_name)
    model = estimator_class(**json.loads(args.params))

    from sklearn.base import is_classifier
    from sklearn.model_selection import cross_val_score

    if is_classifier(model):
        if np.all(labels == labels.round()):
            labels = labels.astype(int)
        metric = "validation:accuracy"
    else:
        metric = "validation:r2"
    scores = cross_val_score(model, features, labels, cv=3)
    model.fit(features, labels)
    print(f"train:samples={len(labels)}")
    print(f"{metric}={scores.mean():.4f}")
    os.makedirs(args.model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))


if __name__ == "__main__":
    main()
