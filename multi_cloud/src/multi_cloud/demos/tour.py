"""The built-in tour: train, deploy and query a model through the AWS provider on the local cloud."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from multi_cloud.demos.steps import DemoFailed, Steps

if TYPE_CHECKING:
    from multi_cloud.core.base import CloudProvider

SPECIES = ("setosa", "versicolor", "virginica")
SAMPLES = [
    [5.1, 3.5, 1.4, 0.2],
    [6.2, 2.9, 4.3, 1.3],
    [7.7, 3.0, 6.1, 2.3],
    [5.0, 3.4, 1.6, 0.4],
    [6.4, 3.2, 5.3, 2.3],
]


def run() -> int:
    """Run the tour; returns the process exit code."""
    from multi_cloud.core.settings import get_settings
    from multi_cloud.local_cloud.session import local_cloud_session

    console = Console()
    settings = get_settings()
    console.rule("[bold]Cloud AI Platforms: the tour")
    console.print(f"mode: [bold]{settings.mode}[/]  provider: aws  region: {settings.aws.region}")
    started = time.perf_counter()
    try:
        with local_cloud_session():
            _tour(console, Steps(console))
    except DemoFailed as err:
        console.print(f"[red]tour failed:[/] {err}")
        return 1
    console.print(
        f"[bold green]Tour complete[/] in {time.perf_counter() - started:.1f} s; nothing left running."
    )
    return 0


def _tour(console: Console, steps: Steps) -> None:
    from multi_cloud import get_provider
    from multi_cloud.core.types import JobState, TrainingSpec
    from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv

    run_id = uuid.uuid4().hex[:8]
    bucket, endpoint_name = f"cloudai-tour-{run_id}", f"tour-{run_id}"
    with steps.step("Connect to AWS (S3 + SageMaker)"):
        aws = get_provider("aws")
        health = aws.health()
        if not health.ok:
            raise RuntimeError(health.detail)
    created_endpoint = False
    try:
        with steps.step(f"Upload the iris data set to s3://{bucket}/"):
            aws.storage.create_bucket(bucket)
            aws.storage.put_object(bucket, "train/iris.csv", iris_csv(), content_type="text/csv")
        with steps.step("Train a random forest (a SageMaker script-mode training job)"):
            job = aws.models.train(
                TrainingSpec(
                    name=f"tour-{run_id}",
                    entry_point=str(SKLEARN_CLASSIFIER),
                    hyperparameters={"n-estimators": 50},
                    inputs={"train": aws.storage.uri(bucket, "train/")},
                )
            )
            if job.state is not JobState.SUCCEEDED:
                raise RuntimeError(f"training job {job.name} {job.status}: {job.failure_reason}")
        console.print(
            f"  job {job.name}: {job.status}, accuracy {job.metrics.get('validation:accuracy', 0):.3f}, "
            f"artifact {job.model_artifact}"
        )
        with steps.step(f"Deploy endpoint {endpoint_name}"):
            endpoint = aws.models.deploy(job, endpoint_name)
            created_endpoint = True
        with steps.step("Predict"):
            prediction = aws.models.predict(endpoint.name, SAMPLES)
        console.print(_prediction_table(prediction.values, prediction.probabilities))
    finally:
        with steps.step("Tear down (endpoint, model, buckets)"):
            if created_endpoint:
                aws.models.delete_endpoint(endpoint_name)
            aws.storage.delete_bucket(bucket, force=True)
            if "job" in locals() and job.model_artifact:
                _delete_prefix(aws, job.model_artifact)


def _delete_prefix(aws: CloudProvider, artifact_uri: str) -> None:
    from multi_cloud.core.uris import split_uri

    storage = aws.storage
    artifact_bucket, key = split_uri(artifact_uri)
    job_prefix = key.split("/", 1)[0] + "/"
    for obj in list(storage.list_objects(artifact_bucket, job_prefix)):
        storage.delete_object(artifact_bucket, obj.key)


def _prediction_table(values: tuple[object, ...], probabilities: tuple[tuple[float, ...], ...]) -> Table:
    table = Table(title="Endpoint predictions")
    for column in ("sepal len", "sepal wid", "petal len", "petal wid", "species", "confidence"):
        table.add_column(column, justify="right")
    for i, (row, value) in enumerate(zip(SAMPLES, values, strict=True)):
        confidence = f"{max(probabilities[i]):.0%}" if probabilities else "-"
        table.add_row(*(f"{v:.1f}" for v in row), SPECIES[int(float(str(value)))], confidence)
    return table
