"""SageMaker lesson benchmark: spot savings with an interruption, tuning wall time, data-capture cost.

Run: .venv/bin/python benchmarks/aws_sagemaker.py   (starts its own in-process local cloud)

1. The same checkpointed training (iris, 6 epochs of 0.3 s) three ways: on demand; managed spot
   uninterrupted; managed spot interrupted after 2 epochs and resumed by a second job. Dollars are the
   catalog's ml.m5.large training price for the measured seconds (real jobs run hours, not seconds).
2. A Random tuning job of N real training trials, with 1 and with 2 parallel workers.
3. Median latency of one request to an endpoint without and with data capture (100 %): ``invoke``
   (CSV answer) and ``predict`` (verbose JSON with class probabilities). The endpoint (the AWS AI emulator,
   as SageMaker) publishes CloudWatch metrics for every request and writes the capture file.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import replace

TRIALS = 4
PREDICTS = 60
ROW = [[5.9, 3.0, 4.2, 1.5]]


def median_ms(action: Callable[[], object], repeats: int = PREDICTS) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    from aws_ai_services.client import AWSProvider
    from aws_ai_services.sagemaker.model_deployment import SageMakerDeployer
    from aws_ai_services.sagemaker.monitor.data_capture import DataCaptureConfig
    from aws_ai_services.sagemaker.scripts import TRAIN_CHECKPOINTED
    from aws_ai_services.sagemaker.training.spot_training import ManagedSpot, SpotInterruption
    from aws_ai_services.sagemaker.training.tuning_ranges import ContinuousParameter, IntegerParameter
    from aws_ai_services.sagemaker.tuning import HyperparameterTuner
    from multi_cloud.core.settings import get_settings
    from multi_cloud.core.types import TrainingSpec
    from multi_cloud.demos.scripts import iris_csv
    from multi_cloud.local_cloud import LocalCloud

    cloud = LocalCloud(["moto", "aws-ai"]).start()
    previous = cloud.apply_env()
    get_settings.cache_clear()
    try:
        aws = AWSProvider()
        trainer = aws.models.trainer
        suffix = uuid.uuid4().hex[:6]
        bucket = f"bench-{suffix}"
        aws.storage.create_bucket(bucket)
        aws.storage.put_object(bucket, "train/iris.csv", iris_csv())
        spec = TrainingSpec(
            name=f"ondemand-{suffix}",
            entry_point=str(TRAIN_CHECKPOINTED),
            hyperparameters={"epochs": 6, "epoch-seconds": 0.3},
            inputs={"train": f"s3://{bucket}/train/"},
        )
        # ---------------------------------------------------------------- 1. spot savings
        on_demand = trainer.train(spec)
        spot_plain = trainer.train(
            replace(spec, name=f"spot-{suffix}"), spot=ManagedSpot(f"s3://{bucket}/ckpt-plain/")
        )
        resumable = ManagedSpot(f"s3://{bucket}/ckpt-resume/")
        interrupted = trainer.train(
            replace(spec, name=f"spot-int-{suffix}"),
            spot=resumable,
            simulate_interruption=SpotInterruption(after_checkpoints=2),
        )
        resumed = trainer.train(replace(spec, name=f"spot-res-{suffix}"), spot=resumable)
        rate = spot_plain.spot_savings.on_demand_usd / spot_plain.spot_savings.training_seconds  # type: ignore[union-attr]
        od_seconds = (on_demand.ended - on_demand.started).total_seconds()  # type: ignore[operator]
        rows = [
            ("on demand", f"{od_seconds:.2f}", f"{od_seconds:.2f}", f"${od_seconds * rate:.6f}", "-", "6")
        ]
        for label, jobs in (("spot", [spot_plain]), ("spot, interrupted + resumed", [interrupted, resumed])):
            trained = sum(j.spot_savings.training_seconds for j in jobs)  # type: ignore[union-attr]
            billed = sum(j.spot_savings.billable_seconds for j in jobs)  # type: ignore[union-attr]
            epochs = sum(int(j.metrics.get("epochs_run", j.metrics.get("epoch", 0))) for j in jobs)
            saving = 1 - billed / od_seconds
            rows.append(
                (
                    label,
                    f"{trained:.2f}",
                    f"{billed:.2f}",
                    f"${billed * rate:.6f}",
                    f"{saving:.0%}",
                    str(epochs),
                )
            )
        table(
            "1. managed spot training (ml.m5.large, catalog prices; saving vs on demand incl. rework)",
            ("run", "training s", "billable s", "cost", "saving", "epochs run"),
            rows,
        )
        # ---------------------------------------------------------------- 2. tuning wall time
        tuning_rows = []
        for workers in (1, 2):
            tuner = HyperparameterTuner(
                trainer,
                objective_metric_name="validation:accuracy",
                metric_definitions={"validation:accuracy": r"validation:accuracy=([0-9.]+)"},
                hyperparameter_ranges={
                    "learning-rate": ContinuousParameter(0.001, 0.1, scaling="Logarithmic"),
                    "seed": IntegerParameter(0, 9),
                },
                max_jobs=TRIALS,
                max_parallel_jobs=workers,
                random_seed=1,
            )
            job = tuner.tune(f"tune{workers}-{suffix}", replace(spec, hyperparameters={"epochs": 4}))
            best = job.best
            tuning_rows.append(
                (
                    str(workers),
                    f"{job.wall_seconds:.2f}",
                    f"{sum(t.seconds for t in job.trials) / len(job.trials):.2f}",
                    f"{best.objective_value:.3f}" if best else "-",
                )
            )
        table(
            f"2. Random tuning job, {TRIALS} real training trials",
            ("parallel workers", "wall s", "mean trial s", "best validation:accuracy"),
            tuning_rows,
        )
        # ---------------------------------------------------------------- 3. data capture cost
        artifact = on_demand.model_artifact
        deployer = SageMakerDeployer(aws.storage)
        deployer.deploy(artifact, f"plain-{suffix}")
        deployer.deploy(
            artifact, f"capture-{suffix}", data_capture=DataCaptureConfig(f"s3://{bucket}/capture")
        )
        body = ",".join(str(v) for v in ROW[0]).encode()
        latency = {}
        for label, endpoint in (("no capture", f"plain-{suffix}"), ("100% capture", f"capture-{suffix}")):
            deployer.predict(endpoint, ROW)
            latency[f"{label}, invoke (CSV answer)"] = median_ms(
                lambda e=endpoint: deployer.invoke(e, body, accept="text/csv")
            )
            latency[f"{label}, predict (JSON + probabilities)"] = median_ms(
                lambda e=endpoint: deployer.predict(e, ROW)
            )
        base = latency["no capture, invoke (CSV answer)"]
        table(
            f"3. one request, 1 row (median of {PREDICTS}); metrics published by the endpoint in every row",
            ("endpoint, call", "ms / request", "vs first row ms"),
            [(label, f"{ms:.2f}", f"{ms - base:+.2f}") for label, ms in latency.items()],
        )
    finally:
        cloud.restore_env(previous)
        cloud.stop()


if __name__ == "__main__":
    main()
