"""Script-mode training: fit a scikit-learn classifier on CSV files (label in column 0).

Runs unchanged in a SageMaker training container or under the local contract runner: it reads
SM_CHANNEL_TRAIN, hyperparameters from the command line, and saves model.joblib into SM_MODEL_DIR.
"""

import argparse
import glob
import os
import sys

import joblib
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="random_forest", choices=["random_forest", "logistic"])
    parser.add_argument("--n-estimators", type=int, default=50)
    parser.add_argument("--max-depth", type=int, default=0)
    parser.add_argument("--fail", default="false", help="raise on purpose (failure-path lessons)")
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "data"))
    args = parser.parse_args()

    if args.fail.lower() == "true":
        raise RuntimeError("training failed on purpose (--fail true)")

    files = sorted(glob.glob(os.path.join(args.train, "*.csv")))
    if not files:
        sys.exit(f"no CSV files in the train channel {args.train}")
    data = np.vstack([np.loadtxt(f, delimiter=",", ndmin=2) for f in files])
    labels, features = data[:, 0].astype(int), data[:, 1:]

    if args.model == "logistic":
        model = LogisticRegression(max_iter=500)
    else:
        model = RandomForestClassifier(
            n_estimators=args.n_estimators, max_depth=args.max_depth or None, random_state=0
        )
    scores = cross_val_score(model, features, labels, cv=3)
    model.fit(features, labels)
    print(f"train:samples={len(labels)}")
    print(f"validation:accuracy={scores.mean():.4f}")
    os.makedirs(args.model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))


if __name__ == "__main__":
    main()
