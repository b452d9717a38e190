"""Checkpointed training: SGD logistic regression one epoch at a time, a checkpoint per epoch, resumable.

Data: every CSV file in the ``train`` channel, label in the first column (SageMaker's built-in layout).
Each epoch is one seeded shuffled pass of ``partial_fit``; the model and the epoch number are then saved
to ``SM_CHECKPOINT_DIR`` (written to a temporary name and renamed, so an interruption never leaves half
a checkpoint). On start the newest checkpoint is loaded and training continues after its epoch, so an
interrupted and resumed run ends with the same model as an uninterrupted one.
Prints ``epoch=``, ``validation:accuracy=``, ``resumed_from_epoch=`` and ``epochs_run=`` lines (metrics).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import time

import joblib
import numpy as np
from sklearn.linear_model import SGDClassifier

CHECKPOINT = re.compile(r"checkpoint-epoch-(\d+)\.joblib$")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--alpha", type=float, default=0.0001)
    parser.add_argument("--epoch-seconds", type=float, default=0.0, help="extra time per epoch")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_known_args()[0]


def load_data(channel: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    files = sorted(glob.glob(os.path.join(channel, "**", "*.csv"), recursive=True))
    if not files:
        raise SystemExit(f"no CSV files in the train channel {channel}")
    data = np.vstack([np.loadtxt(f, delimiter=",", ndmin=2) for f in files])
    order = np.random.default_rng(12345).permutation(len(data))
    data = data[order]
    cut = max(1, int(len(data) * 0.8))
    return data[:cut, 1:], data[:cut, 0], data[cut:, 1:], data[cut:, 0]


def latest_checkpoint(directory: str) -> tuple[int, str | None]:
    paths = glob.glob(os.path.join(directory, "*"))
    found = [(int(m.group(1)), p) for p in paths if (m := CHECKPOINT.search(p))]
    return max(found) if found else (0, None)


def save_checkpoint(directory: str, epoch: int, model: SGDClassifier) -> None:
    final = os.path.join(directory, f"checkpoint-epoch-{epoch:04d}.joblib")
    joblib.dump({"epoch": epoch, "model": model}, final + ".tmp")
    os.replace(final + ".tmp", final)


def main() -> None:
    args = parse_args()
    checkpoints = os.environ.get("SM_CHECKPOINT_DIR", "/opt/ml/checkpoints")
    os.makedirs(checkpoints, exist_ok=True)
    x_train, y_train, x_val, y_val = load_data(os.environ["SM_CHANNEL_TRAIN"])
    classes = np.unique(np.concatenate([y_train, y_val]))
    start, path = latest_checkpoint(checkpoints)
    if path:
        model = joblib.load(path)["model"]
    else:
        model = SGDClassifier(
            loss="log_loss",
            learning_rate="constant",
            eta0=args.learning_rate,
            alpha=args.alpha,
            random_state=args.seed,
        )
    print(f"resumed_from_epoch={start}", flush=True)
    epochs_run = 0
    for epoch in range(start + 1, args.epochs + 1):
        order = np.random.default_rng([args.seed, epoch]).permutation(len(x_train))
        model.partial_fit(x_train[order], y_train[order], classes=classes)
        time.sleep(args.epoch_seconds)
        epochs_run += 1
        accuracy = model.score(x_val, y_val) if len(x_val) else model.score(x_train, y_train)
        print(f"epoch={epoch}", flush=True)
        print(f"validation:accuracy={accuracy:.4f}", flush=True)
        save_checkpoint(checkpoints, epoch, model)
    print(f"epochs_run={epochs_run}", flush=True)
    joblib.dump(model, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))


if __name__ == "__main__":
    main()
