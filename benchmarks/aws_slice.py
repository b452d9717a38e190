"""AWS slice benchmark: SageMaker training round trip, predict latency vs the bare model, reset cost.

Run: .venv/bin/python benchmarks/aws_slice.py   (starts an in-process local cloud: moto + AWS AI emulator)

predict goes over the wire as in AWS: boto3 InvokeEndpoint -> the AWS AI emulator (endpoint read from
moto's in-process backend, the model's predict + predict_proba, CloudWatch metrics) -> verbose JSON.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPEATS = 50
ROW = [[5.9, 3.0, 4.2, 1.5]]


def median_ms(action: Callable[[], object], repeats: int = REPEATS) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    from aws_ai_services.client import AWSProvider
    from multi_cloud.core.settings import get_settings
    from multi_cloud.core.types import TrainingSpec
    from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv
    from multi_cloud.emulation.jobs.script_mode import unpack_model
    from multi_cloud.emulation.serving.model_loading import load_model
    from multi_cloud.local_cloud import LocalCloud

    cloud = LocalCloud(["moto", "aws-ai"]).start()
    previous = cloud.apply_env()
    get_settings.cache_clear()
    try:
        aws = AWSProvider()
        suffix = uuid.uuid4().hex[:8]
        started = time.perf_counter()
        aws.storage.create_bucket(f"tour-{suffix}")
        aws.storage.put_object(f"tour-{suffix}", "iris/train.csv", iris_csv(), content_type="text/csv")
        job = aws.models.train(
            TrainingSpec(
                name=f"tour-{suffix}",
                entry_point=str(SKLEARN_CLASSIFIER),
                hyperparameters={"n-estimators": 50},
                inputs={"train": f"s3://tour-{suffix}/iris/"},
            )
        )
        train_seconds = time.perf_counter() - started
        assert job.status == "Completed", job.failure_reason

        started = time.perf_counter()
        aws.models.deploy(job, f"tour-{suffix}")
        deploy_seconds = time.perf_counter() - started
        aws.models.predict(f"tour-{suffix}", ROW)  # warm the model cache
        provider_ms = median_ms(lambda: aws.models.predict(f"tour-{suffix}", ROW))

        bucket, key = job.model_artifact.removeprefix("s3://").split("/", 1)
        with tempfile.TemporaryDirectory() as work:
            model = load_model(unpack_model(aws.storage.get_object(bucket, key), Path(work)))
        direct_ms = median_ms(lambda: model.predict(ROW))
        reset_ms = median_ms(cloud.reset)
    finally:
        cloud.restore_env(previous)
        cloud.stop()

    rows = [
        ("tour model: upload + SageMaker training job round trip", f"{train_seconds:.2f} s"),
        ("deploy (model + endpoint config + endpoint, artifact load)", f"{deploy_seconds:.2f} s"),
        (f"predict 1 row via AWSProvider (median of {REPEATS})", f"{provider_ms:.2f} ms"),
        (f"predict 1 row calling the sklearn model directly (median of {REPEATS})", f"{direct_ms:.2f} ms"),
        (
            "provider overhead (InvokeEndpoint round trip + predict_proba + metrics)",
            f"{provider_ms - direct_ms:.2f} ms",
        ),
        (f"clean_cloud reset, LocalCloud.reset() (median of {REPEATS})", f"{reset_ms:.2f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  ---------")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
