"""On-prem models: single-row latency of ONNX (onnxruntime) vs scikit-learn, and script-mode training time.

Run: .venv/bin/python benchmarks/onprem_models.py [--calls 2000]
Both models are trained by the same script-mode job the provider runs (demos/scripts/train_sklearn.py on
iris); each is timed with scikit-learn ``predict`` (the baseline) and an onnxruntime ``session.run`` on the
graph ``export_onnx`` produced, in the same process, on the same row. "endpoint" is the provider's
``predict`` (row validation + session + result conversion).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def median_us(call: Callable[[], Any], calls: int) -> float:
    for _ in range(min(50, calls)):  # warm-up
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - started)
    return statistics.median(samples) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()

    import joblib
    import numpy as np
    import onnxruntime as ort
    from multi_cloud.core.types import TrainingSpec
    from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv
    from multi_cloud.emulation.jobs.script_mode import unpack_model
    from multi_cloud.onprem.provider import OnPremProvider

    with tempfile.TemporaryDirectory() as folder:
        site = OnPremProvider(root=folder)
        site.storage.create_bucket("bench-data")
        site.storage.put_object("bench-data", "iris/train.csv", iris_csv(), content_type="text/csv")
        channel = site.storage.uri("bench-data", "iris/")
        row = [5.9, 3.0, 4.2, 1.5]
        row64 = np.asarray([row], dtype=np.float64)
        row32 = row64.astype(np.float32)

        print(f"single-row predict, median of {args.calls} calls (1 onnxruntime thread)")
        header = f"{'model':<22}{'train s':>9}{'sklearn µs':>12}"
        header += f"{'onnx µs':>10}{'speed-up':>10}{'endpoint µs':>13}"
        print(header)
        print("-" * len(header))
        for label, hyperparameters in [
            ("RandomForest(50)", {"model": "random_forest", "n-estimators": 50}),
            ("LogisticRegression", {"model": "logistic"}),
        ]:
            name = label.split("(")[0].lower()
            started = time.perf_counter()
            job = site.models.train(
                TrainingSpec(
                    name=f"bench-{name}",
                    entry_point=str(SKLEARN_CLASSIFIER),
                    hyperparameters=hyperparameters,
                    inputs={"train": channel},
                )
            )
            train_seconds = time.perf_counter() - started
            if job.status != "Completed":
                raise SystemExit(f"training failed: {job.failure_reason}")

            bucket, key = job.model_artifact.removeprefix("onprem://").split("/", 1)
            model_dir = unpack_model(site.storage.get_object(bucket, key), Path(folder) / f"unpacked-{name}")
            model = joblib.load(model_dir / "model.joblib")
            exported = site.models.export_onnx(job)
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            session = ort.InferenceSession(exported.onnx_bytes, options, providers=["CPUExecutionProvider"])
            site.models.deploy(job, f"ep-{name}")
            agree = session.run(None, {"input": row32})[0].tolist() == model.predict(row64).tolist()
            if not agree:
                raise SystemExit(f"{label}: ONNX and scikit-learn disagree on {row}")

            sklearn_us = median_us(lambda model=model: model.predict(row64), args.calls)
            onnx_us = median_us(lambda session=session: session.run(None, {"input": row32}), args.calls)
            endpoint_us = median_us(lambda name=name: site.models.predict(f"ep-{name}", [row]), args.calls)
            print(
                f"{label:<22}{train_seconds:>9.2f}{sklearn_us:>12.1f}{onnx_us:>10.1f}"
                f"{sklearn_us / onnx_us:>9.1f}x{endpoint_us:>13.1f}"
            )
        print("train s: wall time of the script-mode job (process, imports, 3-fold CV, fit, pack, store)")


if __name__ == "__main__":
    main()
