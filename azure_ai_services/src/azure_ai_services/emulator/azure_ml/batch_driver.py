"""A batch deployment's scoring job: ``init()`` once, ``run(mini_batch)`` per mini-batch of files, one output.

Run inside a command job as ``python -m azure_ai_services.emulator.azure_ml.batch_driver``: the files of
``--data`` are scored in mini-batches of ``--mini-batch-size`` by the scoring script (``run`` gets a list
of file paths and returns a list or a DataFrame, whose rows are appended to ``--output-file``) or, without
a script, by the MLflow model (every row of every CSV file; output rows ``row,prediction,file``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def _files(data: Path) -> list[Path]:
    if data.is_file():
        return [data]
    return sorted(p for p in data.rglob("*") if p.is_file())


def _lines(answer: Any) -> list[str]:
    if hasattr(answer, "to_csv"):  # a DataFrame: one space-separated line per row
        return [" ".join(str(value) for value in row) for row in answer.itertuples(index=False)]
    return [str(item) for item in answer]


def score_with_script(script: Path, files: list[Path], size: int) -> list[str]:
    from multi_cloud.emulation.serving.user_code import load_script

    module = load_script(script)
    module.init()
    lines: list[str] = []
    for start in range(0, len(files), size):
        batch = [str(path) for path in files[start : start + size]]
        lines.extend(_lines(module.run(batch)))
        print(f"mini-batch {start // size}: {len(batch)} file(s) scored", flush=True)
    return lines


def score_with_mlflow(model_dir: Path, files: list[Path]) -> list[str]:
    import mlflow.pyfunc
    import pandas as pd

    roots = sorted(model_dir.rglob("MLmodel"))
    if not roots:
        raise SystemExit("the model has no MLmodel file: give the deployment a scoring script")
    model = mlflow.pyfunc.load_model(str(roots[0].parent))
    lines: list[str] = []
    for path in files:
        predictions = model.predict(pd.read_csv(path))
        values = predictions.tolist() if hasattr(predictions, "tolist") else list(predictions)
        for row, value in enumerate(values):
            lines.append(f"{row},{value},{path.name}")
        print(f"{path.name}: {len(predictions)} row(s) scored", flush=True)
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--model-leaf", default="")
    parser.add_argument("--data")
    parser.add_argument("--output")
    parser.add_argument("--script", default="")
    parser.add_argument("--mini-batch-size", type=int, default=10)
    parser.add_argument("--output-file", default="predictions.csv")
    args = parser.parse_args(argv)
    files = _files(Path(args.data))
    if not files:
        raise SystemExit(f"no input files under {args.data}")
    model_root = Path(tempfile.mkdtemp(prefix="azureml-batch-model-"))
    (model_root / (args.model_leaf or "model")).symlink_to(
        Path(args.model).resolve(), target_is_directory=True
    )
    os.environ["AZUREML_MODEL_DIR"] = str(model_root)
    if args.script:
        lines = score_with_script(Path(args.script).resolve(), files, max(1, args.mini_batch_size))
    else:
        lines = score_with_mlflow(model_root, files)
    output = Path(args.output) / args.output_file
    output.write_text("".join(line + "\n" for line in lines))
    print(f"{len(lines)} line(s) written to {args.output_file}", flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover - run inside a batch scoring job
    sys.exit(main(sys.argv[1:]))
