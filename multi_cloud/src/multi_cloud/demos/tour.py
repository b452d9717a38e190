"""The built-in tour: one provider-neutral program trains, deploys and queries a model on each cloud."""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass
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
#: which clouds the tour visits, in order (``CLOUDAI_TOUR_PROVIDERS=aws,gcp`` picks fewer)
PROVIDERS_VARIABLE = "CLOUDAI_TOUR_PROVIDERS"
ALL_PROVIDERS = ("aws", "gcp", "azure")
#: what each provider's ``models`` runs on, for the printout
SERVICES = {"aws": "SageMaker", "gcp": "Vertex AI", "azure": "Azure ML"}


@dataclass(frozen=True)
class Visit:
    """What the tour measured on one cloud."""

    provider: str
    accuracy: float
    species: tuple[str, ...]
    confidences: tuple[float, ...]
    seconds: float


def chosen_providers() -> tuple[str, ...]:
    """The providers named in ``CLOUDAI_TOUR_PROVIDERS`` (all three when unset); unknown ones are an error."""
    raw = os.environ.get(PROVIDERS_VARIABLE, "")
    names = tuple(name.strip() for name in raw.split(",") if name.strip()) or ALL_PROVIDERS
    unknown = [name for name in names if name not in ALL_PROVIDERS]
    if unknown:
        raise DemoFailed(
            f"{PROVIDERS_VARIABLE} names unknown provider(s) {', '.join(unknown)}; "
            f"choose from {', '.join(ALL_PROVIDERS)} (comma-separated)"
        )
    return names


def run() -> int:
    """Run the tour; returns the process exit code."""
    from multi_cloud.core.settings import get_settings
    from multi_cloud.local_cloud.session import local_cloud_session

    console = Console()
    settings = get_settings()
    started = time.perf_counter()
    console.rule("[bold]Cloud AI Platforms: the tour")
    try:
        providers = chosen_providers()
        console.print(f"mode: [bold]{settings.mode}[/]  providers: {', '.join(providers)}")
        console.print("The same program, written once against the provider interface, on each cloud.\n")
        logging.disable(logging.WARNING)  # the SDKs' info lines and notices: the steps say what happens
        with local_cloud_session():
            visits = [_visit(console, Steps(console), name) for name in providers]
    except DemoFailed as err:
        console.print(f"[red]tour failed:[/] {err}")
        return 1
    finally:
        logging.disable(logging.NOTSET)
    console.print(_comparison_table(visits))
    console.print(
        f"[bold green]Tour complete[/] in {time.perf_counter() - started:.1f} s; nothing left running."
    )
    return 0


def _visit(console: Console, steps: Steps, name: str) -> Visit:
    from multi_cloud import get_provider
    from multi_cloud.core.types import JobState, TrainingSpec
    from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv

    started = time.perf_counter()
    run_id = uuid.uuid4().hex[:8]
    bucket, endpoint_name = f"cloudai-tour-{run_id}", f"tour-{run_id}"
    console.rule(f"{name}: {SERVICES[name]}")
    with steps.step(f"Connect to {name}"):
        provider = get_provider(name)
        health = provider.health()
        if not health.ok:
            raise RuntimeError(health.detail)
    created_bucket = created_endpoint = False
    job = None
    try:
        with steps.step(f"Upload the iris data set to {provider.storage.uri(bucket, '')}"):
            provider.storage.create_bucket(bucket)
            created_bucket = True
            provider.storage.put_object(bucket, "train/iris.csv", iris_csv(), content_type="text/csv")
        with steps.step(f"Train a random forest ({SERVICES[name]} script-mode training job)"):
            job = provider.models.train(
                TrainingSpec(
                    name=f"tour-{run_id}",
                    entry_point=str(SKLEARN_CLASSIFIER),
                    hyperparameters={"n-estimators": 50},
                    inputs={"train": provider.storage.uri(bucket, "train/")},
                )
            )
            if job.state is not JobState.SUCCEEDED:
                raise RuntimeError(f"training job {job.name} {job.status}: {job.failure_reason}")
        accuracy = float(job.metrics.get("validation:accuracy", 0.0))
        console.print(f"  job {job.name}: {job.status}, accuracy {accuracy:.3f}")
        console.print(f"  model artifact {job.model_artifact}")
        with steps.step(f"Deploy endpoint {endpoint_name}"):
            endpoint = provider.models.deploy(job, endpoint_name)
            created_endpoint = True
        with steps.step("Predict"):
            prediction = provider.models.predict(endpoint.name, SAMPLES)
        species = tuple(SPECIES[int(float(str(value)))] for value in prediction.values)
        confidences = tuple(max(row) for row in prediction.probabilities)
    finally:
        with steps.step("Tear down (endpoint, data, model artifact)"):
            if created_endpoint:
                provider.models.delete_endpoint(endpoint_name)
            if created_bucket:
                provider.storage.delete_bucket(bucket, force=True)
            if name == "aws" and job is not None and job.model_artifact:
                _delete_job_prefix(provider, job.model_artifact)
    return Visit(name, accuracy, species, confidences, time.perf_counter() - started)


def _delete_job_prefix(aws: CloudProvider, artifact_uri: str) -> None:
    """SageMaker writes ``<job>/output/model.tar.gz`` to the session's default bucket: remove that job's
    objects. (Vertex AI and Azure ML keep a job's outputs in their staging store, as in the cloud.)"""
    from multi_cloud.core.uris import split_uri

    storage = aws.storage
    artifact_bucket, key = split_uri(artifact_uri)
    job_prefix = key.split("/", 1)[0] + "/"
    for obj in list(storage.list_objects(artifact_bucket, job_prefix)):
        storage.delete_object(artifact_bucket, obj.key)


def _comparison_table(visits: list[Visit]) -> Table:
    table = Table(title="The same five flowers, predicted on each cloud")
    table.add_column("sepal / petal (cm)")
    for visit in visits:
        table.add_column(visit.provider)
    for i, row in enumerate(SAMPLES):
        answers = [visit.species[i] + _percent(visit.confidences, i) for visit in visits]
        table.add_row(" ".join(f"{v:.1f}" for v in row), *answers)
    table.add_section()
    table.add_row("validation accuracy", *(f"{visit.accuracy:.3f}" for visit in visits))
    table.add_row("seconds (train, deploy, predict)", *(f"{visit.seconds:.1f}" for visit in visits))
    return table


def _percent(confidences: tuple[float, ...], row: int) -> str:
    """`` 97%`` when the provider returned class probabilities (SageMaker's container does), else empty."""
    return f" {confidences[row]:.0%}" if confidences else ""
