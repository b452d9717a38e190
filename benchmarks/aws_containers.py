"""Containerized serving benchmark: an ECS service's tasks as local model-server processes.

Run: .venv/bin/python benchmarks/aws_containers.py   (starts moto in this process)

Measures the cold start of a task (process spawn, model download from S3, load, first 200 on /ping),
the latency of one-row predictions over HTTP through the round-robin client, and rows per second with
100-row requests from 4 client threads against 1 and 2 tasks. Baseline in the same run: ``model.predict``
on the same loaded model, in process, without HTTP.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROW = [5.9, 3.0, 4.2, 1.5]
REPEATS = 300
BATCH = [ROW] * 100
BATCH_REQUESTS = 80
THREADS = 4


def quantile_ms(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=100)[94]


def train_model(root: Path) -> Path:
    from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv
    from multi_cloud.emulation.jobs.script_mode import ContainerLayout, run_script

    layout = ContainerLayout(root / "training")
    layout.create(["train"])
    (layout.channel("train") / "iris.csv").write_bytes(iris_csv())
    result = run_script(SKLEARN_CLASSIFIER, layout, hyperparameters={"n-estimators": 50}, channels=["train"])
    assert result.succeeded, result.failure_reason
    return result.model_dir


def rows_per_second(service: object) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda _: service.predict(BATCH), range(BATCH_REQUESTS)))  # type: ignore[attr-defined]
    return BATCH_REQUESTS * len(BATCH) / (time.perf_counter() - started)


def main() -> None:
    from aws_ai_services.containers.ecs_deployment import EcsDeployer, run_service_locally
    from aws_ai_services.containers.model_server import load_model
    from aws_ai_services.storage.s3 import S3Storage
    from multi_cloud.core.settings import get_settings
    from multi_cloud.emulation.jobs.script_mode import pack_model_dir
    from multi_cloud.local_cloud.cloud import LocalCloud

    with tempfile.TemporaryDirectory() as tmp, LocalCloud(["moto"], preferred_ports=False) as cloud:
        cloud.apply_env()
        get_settings.cache_clear()
        model_dir = train_model(Path(tmp))
        storage = S3Storage()
        storage.create_bucket("bench-models")
        storage.put_object("bench-models", "iris/model.tar.gz", pack_model_dir(model_dir))
        EcsDeployer().deploy("bench", "bench:1", "s3://bench-models/iris/model.tar.gz", desired_count=2)

        model = load_model(str(model_dir))
        baseline = quantile_ms(lambda: model.predict([ROW]), REPEATS)
        table = [("in-process model.predict (baseline)", baseline, None)]
        cold_starts = []
        for tasks in (1, 2):
            started = time.perf_counter()
            with run_service_locally("bench", "bench", desired_count=tasks) as service:
                cold_starts.append((tasks, time.perf_counter() - started))
                latency = quantile_ms(lambda: service.predict([ROW]), REPEATS)
                table.append((f"HTTP /invocations, {tasks} task(s)", latency, rows_per_second(service)))

    print(f"{'what':<40} {'p50 ms':>8} {'p95 ms':>8} {'rows/s (100-row requests, 4 threads)':>38}")
    for name, (p50, p95), throughput in table:
        rate = f"{throughput:,.0f}" if throughput else "-"
        print(f"{name:<40} {p50:>8.2f} {p95:>8.2f} {rate:>38}")
    for tasks, seconds in cold_starts:
        print(f"cold start of {tasks} task(s) until every /ping is 200: {seconds:.2f} s")


if __name__ == "__main__":
    main()
