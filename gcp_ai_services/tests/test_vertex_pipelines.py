"""Vertex AI Pipelines through plain ``kfp`` + ``google-cloud-aiplatform``: the server runs the compiled DAG.

Lightweight Python components run under the KFP executor contract; parameters and artifacts flow between
tasks; a failing task fails the pipeline with its error; Google's error codes for specs it cannot run.
"""

# no `from __future__ import annotations`: kfp reads the component annotations as types

import os
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform, storage
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Output

from .conftest import status_of

PROJECT = "cloudai-local"
BUCKET = "vertex-pipelines"
ROOT = f"gs://{BUCKET}/root"
SERVICE_ACCOUNT = f"pipelines@{PROJECT}.iam.gserviceaccount.com"


@dsl.component(base_image="python:3.11")
def make_numbers(count: int, numbers: Output[Dataset]) -> str:
    with open(numbers.path, "w") as handle:
        handle.write("\n".join(str(i) for i in range(1, count + 1)))
    return f"wrote {count}"


@dsl.component(base_image="python:3.11")
def add_up(numbers: Input[Dataset], scale: float, report: Output[Metrics]) -> float:
    total = sum(float(line) for line in open(numbers.path)) * scale
    report.log_metric("total", total)
    return total


@dsl.component(base_image="python:3.11")
def explode(value: float) -> float:
    raise ValueError(f"refusing {value}")


@dsl.component(base_image="python:3.11")
def sleep_long(seconds: float) -> str:
    import time

    time.sleep(seconds)
    return "woke"


@dsl.pipeline(name="sleeps")
def sleeps(seconds: float = 120.0) -> None:
    sleep_long(seconds=seconds)


@dsl.pipeline(name="imports-data")
def imports_data(uri: str) -> float:
    imported = dsl.importer(artifact_uri=uri, artifact_class=Dataset, metadata={"source": "upload"})
    return add_up(numbers=imported.output, scale=1.0).outputs["Output"]


@dsl.component(base_image="python:3.11")
def echo(value: float) -> float:
    return value


@dsl.component(base_image="python:3.11")
def verdict(word: str, value: float) -> str:
    return f"{word} {value}"


@dsl.pipeline(name="gate")
def gate(value: float = 0.9, threshold: float = 0.5) -> None:
    score = echo(value=value)
    with dsl.If(score.output > threshold, name="good-enough"):
        verdict(word="approve", value=score.output)
    with dsl.Else(name="too-low"):
        verdict(word="reject", value=score.output)


@dsl.pipeline(name="inner-sum")
def inner_sum(count: int) -> float:
    made = make_numbers(count=count)
    return add_up(numbers=made.outputs["numbers"], scale=1.0).outputs["Output"]


@dsl.pipeline(name="outer")
def outer(count: int = 4) -> None:
    inner = inner_sum(count=count)
    echo(value=inner.output)


@dsl.pipeline(name="loops")
def loops() -> None:
    with dsl.ParallelFor([1.0, 2.0]) as item:
        echo(value=item)


@dsl.pipeline(name="sum-numbers")
def sum_numbers(count: int = 3, scale: float = 1.0) -> float:
    made = make_numbers(count=count)
    return add_up(numbers=made.outputs["numbers"], scale=scale).outputs["Output"]


@dsl.pipeline(name="fails-midway")
def fails_midway(count: int = 2) -> None:
    made = make_numbers(count=count)
    summed = add_up(numbers=made.outputs["numbers"], scale=1.0)
    explode(value=summed.outputs["Output"])


@dsl.container_component
def shell_step() -> dsl.ContainerSpec:
    return dsl.ContainerSpec(image="alpine:3.20", command=["echo"], args=["hello"])


@dsl.component(base_image="python:3.11", packages_to_install=["no-such-package-for-cloudai==1.0"])
def needs_a_package() -> str:
    return "never"


@dsl.pipeline(name="needs-package")
def package_pipeline() -> None:
    needs_a_package()


@dsl.pipeline(name="container-step")
def container_pipeline() -> None:
    shell_step()


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK polls a job every 5 s; the local jobs end in well under a second (as test_vertex_lessons)."""
    from google.cloud.aiplatform import pipeline_jobs

    monkeypatch.setattr(pipeline_jobs, "_JOB_WAIT_TIME", 0.5)


@pytest.fixture
def bucket(clean_google: Any) -> storage.Bucket:
    """The pipeline root's bucket, left for the SDK to create (as ``PipelineJob.submit`` does).

    With a ``service_account`` the SDK skips its Resource Manager call (gRPC to
    cloudresourcemanager.googleapis.com, 60 s of retries offline) that an existing bucket or the default
    compute service account would cost.
    """
    aiplatform.init(
        project=PROJECT,
        location="us-central1",
        api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
        api_transport="rest",
        credentials=AnonymousCredentials(),
        service_account=SERVICE_ACCOUNT,
    )
    return storage.Client(project=PROJECT, credentials=AnonymousCredentials()).bucket(BUCKET)


def compiled(pipeline: Any, tmp_path: Path) -> str:
    path = tmp_path / f"{pipeline.name}.yaml"
    compiler.Compiler().compile(pipeline, str(path))
    return str(path)


def test_pipeline_runs_tasks_in_order_and_passes_outputs(bucket: storage.Bucket, tmp_path: Path) -> None:
    job = aiplatform.PipelineJob(
        display_name="sum",
        template_path=compiled(sum_numbers, tmp_path),
        pipeline_root=ROOT,
        parameter_values={"count": 4, "scale": 2.0},
        enable_caching=False,
    )
    job.run(sync=True)

    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_SUCCEEDED
    tasks = {t.task_name: t for t in job.task_details}
    assert set(tasks) == {"sum-numbers", "make-numbers", "add-up"}
    assert all(t.state.name == "SUCCEEDED" for t in tasks.values())
    assert tasks["make-numbers"].execution.metadata["output:Output"] == "wrote 4"
    assert tasks["add-up"].execution.metadata["output:Output"] == 20.0
    assert tasks["sum-numbers"].execution.metadata["output:Output"] == 20.0
    report = tasks["add-up"].outputs["report"].artifacts[0]
    assert report.schema_title == "system.Metrics" and report.metadata["total"] == 20.0
    numbers = tasks["make-numbers"].outputs["numbers"].artifacts[0]
    assert numbers.uri.startswith(f"{ROOT}/{job.name}/make-numbers_")
    blob = bucket.blob(numbers.uri.removeprefix(f"gs://{BUCKET}/"))
    assert blob.download_as_text() == "1\n2\n3\n4"
    assert tasks["add-up"].inputs["numbers"].artifacts[0].uri == numbers.uri


def test_a_failing_task_fails_the_pipeline_with_its_error(bucket: storage.Bucket, tmp_path: Path) -> None:
    job = aiplatform.PipelineJob(
        display_name="fails", template_path=compiled(fails_midway, tmp_path), pipeline_root=ROOT
    )
    job.submit()
    with pytest.raises(RuntimeError, match=r"failed tasks are: \[explode\].*ValueError: refusing 3.0"):
        job.wait()
    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_FAILED
    states = {t.task_name: t.state.name for t in job.task_details}
    assert states == {
        "fails-midway": "FAILED",
        "make-numbers": "SUCCEEDED",
        "add-up": "SUCCEEDED",
        "explode": "FAILED",
    }
    assert [j.resource_name for j in aiplatform.PipelineJob.list()] == [job.resource_name]
    job.delete()
    with pytest.raises(exceptions.NotFound, match="PipelineJob"):
        aiplatform.PipelineJob.get(job.resource_name)


def test_container_components_are_failed_precondition_naming_the_image(
    bucket: storage.Bucket, tmp_path: Path
) -> None:
    job = aiplatform.PipelineJob(
        display_name="container", template_path=compiled(container_pipeline, tmp_path), pipeline_root=ROOT
    )
    with pytest.raises(exceptions.BadRequest, match="alpine:3.20") as refused:
        job.submit()
    assert status_of(refused.value) == "FAILED_PRECONDITION"


def test_missing_packages_to_install_are_failed_precondition_naming_them(
    bucket: storage.Bucket, tmp_path: Path
) -> None:
    needs = aiplatform.PipelineJob(
        display_name="package", template_path=compiled(package_pipeline, tmp_path), pipeline_root=ROOT
    )
    with pytest.raises(exceptions.BadRequest, match="no-such-package-for-cloudai==1.0") as missing:
        needs.submit()
    assert status_of(missing.value) == "FAILED_PRECONDITION"


def test_malformed_specs_and_parameters_are_invalid_argument(bucket: storage.Bucket, tmp_path: Path) -> None:
    from google.cloud.aiplatform_v1 import PipelineServiceClient
    from google.cloud.aiplatform_v1.types import PipelineJob

    client = PipelineServiceClient(
        transport="rest",
        client_options={"api_endpoint": os.environ["CLOUDAI_GCP_ENDPOINT"]},
        credentials=AnonymousCredentials(),
    )
    parent = f"projects/{PROJECT}/locations/us-central1"
    spec = {
        "pipelineInfo": {"name": "broken"},
        "root": {"dag": {"tasks": {"a": {"componentRef": {"name": "x"}}}}},
    }
    broken = PipelineJob(display_name="broken", runtime_config={"gcs_output_directory": ROOT})
    broken.pipeline_spec = spec
    with pytest.raises(exceptions.BadRequest, match="component 'x'") as malformed:
        client.create_pipeline_job(parent=parent, pipeline_job=broken)
    assert status_of(malformed.value) == "INVALID_ARGUMENT"

    job = aiplatform.PipelineJob(
        display_name="sum",
        template_path=compiled(sum_numbers, tmp_path),
        pipeline_root=ROOT,
        parameter_values={"count": 2},
    )
    job._gca_resource.runtime_config.parameter_values["countt"] = 2
    with pytest.raises(exceptions.BadRequest, match=r"\['countt'\]") as unknown:
        job.submit()
    assert status_of(unknown.value) == "INVALID_ARGUMENT"


def test_the_packaged_helper_compiles_runs_and_reads_outputs(bucket: storage.Bucket, tmp_path: Path) -> None:
    from gcp_ai_services.vertex_ai.pipelines import VertexPipelines

    pipelines = VertexPipelines()
    template = pipelines.compile(sum_numbers, tmp_path / "sum.yaml")
    run = pipelines.run(
        "sum",
        template,
        ROOT,
        parameter_values={"count": 3},
        service_account=SERVICE_ACCOUNT,
        poll_seconds=0.5,
    )
    assert run.succeeded, run.error
    assert run.tasks["add-up"].parameters["Output"] == 6.0
    assert run.tasks["make-numbers"].artifacts["numbers"].startswith(f"{ROOT}/")
    failed = pipelines.run(
        "fails", pipelines.compile(fails_midway, tmp_path / "f.yaml"), ROOT, service_account=SERVICE_ACCOUNT
    )
    assert (failed.state, failed.tasks["explode"].state) == ("FAILED", "FAILED")
    assert "ValueError: refusing 3.0" in failed.tasks["explode"].error
    pipelines.delete(run.name)


def test_cancel_stops_the_running_task(bucket: storage.Bucket, tmp_path: Path) -> None:
    import time

    job = aiplatform.PipelineJob(
        display_name="sleeps", template_path=compiled(sleeps, tmp_path), pipeline_root=ROOT
    )
    job.submit()
    deadline = time.monotonic() + 60
    while not any(
        t.task_name == "sleep-long" for t in aiplatform.PipelineJob.get(job.resource_name).task_details
    ):
        assert time.monotonic() < deadline, "the task never started"
        time.sleep(0.2)
    started = time.monotonic()
    job.cancel()
    while aiplatform.PipelineJob.get(job.resource_name).task_details[-1].state.name == "RUNNING":
        assert time.monotonic() - started < 10, "cancel did not stop the task"
        time.sleep(0.2)
    finished = aiplatform.PipelineJob.get(job.resource_name)
    assert finished.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_CANCELLED
    assert {t.task_name: t.state.name for t in finished.task_details}["sleep-long"] == "CANCELLED"
    with pytest.raises(exceptions.BadRequest, match="already PIPELINE_STATE_CANCELLED") as refused:
        job.cancel()
    assert status_of(refused.value) == "FAILED_PRECONDITION"


def test_a_pipeline_run_joins_an_experiment_with_its_params_and_metrics(
    bucket: storage.Bucket, tmp_path: Path
) -> None:
    aiplatform.Experiment.create("pipeline-runs")
    job = aiplatform.PipelineJob(
        display_name="sum",
        template_path=compiled(sum_numbers, tmp_path),
        pipeline_root=ROOT,
        parameter_values={"count": 3, "scale": 10.0},
    )
    job.submit(experiment="pipeline-runs")
    job.wait()

    (row,) = aiplatform.get_experiment_df("pipeline-runs").to_dict("records")
    assert (row["run_name"], row["run_type"], row["state"]) == (job.name, "system.PipelineRun", "COMPLETE")
    assert (row["param.count"], row["param.scale"], row["metric.total"]) == (3, 10.0, 60.0)
    lineage = aiplatform.Context(
        job.gca_resource.job_detail.pipeline_run_context.name
    ).query_lineage_subgraph()
    assert {a.display_name for a in lineage.artifacts} == {"numbers", "report"}
    assert {(e.type_.name, e.artifact.rsplit("/", 1)[-1]) for e in lineage.events} >= {
        ("OUTPUT", lineage.artifacts[0].name.rsplit("/", 1)[-1])
    }


def test_an_importer_brings_an_existing_object_into_the_pipeline(
    bucket: storage.Bucket, tmp_path: Path
) -> None:
    data = storage.Client(project=PROJECT, credentials=AnonymousCredentials()).create_bucket("vertex-data")
    data.blob("numbers/values.txt").upload_from_string("5\n7\n30")
    job = aiplatform.PipelineJob(
        display_name="imports",
        template_path=compiled(imports_data, tmp_path),
        pipeline_root=ROOT,
        parameter_values={"uri": "gs://vertex-data/numbers/values.txt"},
    )
    job.run(sync=True)

    tasks = {t.task_name: t for t in job.task_details}
    imported = tasks["importer"].outputs["artifact"].artifacts[0]
    assert (imported.uri, imported.schema_title) == ("gs://vertex-data/numbers/values.txt", "system.Dataset")
    assert imported.metadata["source"] == "upload"
    assert tasks["add-up"].execution.metadata["output:Output"] == 42.0


def test_dsl_if_runs_the_branch_whose_condition_holds(bucket: storage.Bucket, tmp_path: Path) -> None:
    job = aiplatform.PipelineJob(
        display_name="gate",
        template_path=compiled(gate, tmp_path),
        pipeline_root=ROOT,
        parameter_values={"value": 0.2, "threshold": 0.5},
    )
    job.run(sync=True)

    details = job.task_details
    by_id = {t.task_id: t for t in details}
    states = {t.task_name: t.state.name for t in details if t.task_name.startswith("condition")}
    assert states == {
        "condition-branches-1": "SUCCEEDED",
        "condition-2": "SKIPPED",
        "condition-3": "SUCCEEDED",
    }
    (ran,) = [t for t in details if t.task_name.startswith("verdict")]
    assert by_id[ran.parent_task_id].task_name == "condition-3"
    assert ran.execution.metadata["output:Output"] == "reject 0.2"


def test_a_sub_pipeline_hands_its_output_to_the_next_task(bucket: storage.Bucket, tmp_path: Path) -> None:
    job = aiplatform.PipelineJob(
        display_name="outer", template_path=compiled(outer, tmp_path), pipeline_root=ROOT
    )
    job.run(sync=True)
    tasks = {t.task_name: t for t in job.task_details}
    assert tasks["inner-sum"].state.name == "SUCCEEDED"
    assert tasks["echo"].execution.metadata["output:Output"] == 10.0


def test_parallel_for_is_failed_precondition(bucket: storage.Bucket, tmp_path: Path) -> None:
    job = aiplatform.PipelineJob(
        display_name="loops", template_path=compiled(loops, tmp_path), pipeline_root=ROOT
    )
    with pytest.raises(exceptions.BadRequest, match="dsl.ParallelFor") as refused:
        job.submit()
    assert status_of(refused.value) == "FAILED_PRECONDITION"
