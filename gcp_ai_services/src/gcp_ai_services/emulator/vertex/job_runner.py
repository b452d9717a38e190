"""Custom jobs and training pipelines executed in the server, each in its own background job.

A pipeline runs a backing custom job, then uploads ``modelToUpload`` from ``baseOutputDirectory/model/``.
"""

from __future__ import annotations

import logging
from typing import Any

from multi_cloud.emulation.jobs.store import BackgroundJob
from multi_cloud.emulation.protocols.google.errors import CANONICAL, GoogleError

from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.model_registry import upload_model
from gcp_ai_services.emulator.vertex.resources import new_id
from gcp_ai_services.emulator.vertex.state import JOBS, VertexState
from gcp_ai_services.emulator.vertex.training_run import DataUris, run_worker_pool

CANCELLED = {"code": CANONICAL["CANCELLED"][0], "message": "CANCELLED"}
log = logging.getLogger("multi_cloud.emulation")


def _internal(exc: BaseException) -> dict[str, Any]:
    """A job the local cloud itself failed to run ends FAILED with INTERNAL, never RUNNING forever."""
    log.exception("the local Vertex AI failed running a job")
    return {
        "code": CANONICAL["INTERNAL"][0],
        "message": f"the local cloud failed: {type(exc).__name__}: {exc}",
    }


def start_custom_job(state: VertexState, record: JobRecord) -> None:
    JOBS.submit(record.name, state.scope, lambda job: _run_custom_job(state, record, job))


def start_pipeline(state: VertexState, record: JobRecord) -> None:
    JOBS.submit(record.name, state.scope, lambda job: _run_pipeline(state, record, job))


def _run_custom_job(
    state: VertexState, record: JobRecord, job: BackgroundJob, data: DataUris = DataUris()
) -> None:
    if not record.move("RUNNING"):
        return
    root = state.work_root / record.name.rsplit("/", 1)[-1]
    try:
        result = run_worker_pool(
            record.body.get("jobSpec", {}), root, data=data, should_stop=job.stop_requested.is_set
        )
    except GoogleError as err:
        record.move("FAILED", err.rpc_status())
        return
    except Exception as exc:  # noqa: BLE001 - reported as the job's error, the server goes on
        record.move("FAILED", _internal(exc))
        return
    record.logs = result.logs
    if job.cancelled.is_set():
        return
    if result.stopped:
        record.move("CANCELLED", CANCELLED)
    elif result.succeeded:
        record.move("SUCCEEDED")
    else:
        message = (
            f"The replica workerpool0-0 exited with a non-zero status of {result.returncode}. "
            f"Last error lines:\n{result.failure_reason}"
        )
        record.move("FAILED", {"code": CANONICAL["INVALID_ARGUMENT"][0], "message": message})


def _run_pipeline(state: VertexState, pipeline: JobRecord, job: BackgroundJob) -> None:
    if not pipeline.move("RUNNING"):
        return
    parent = pipeline.name.split("/trainingPipelines/")[0]
    inputs = pipeline.body.get("trainingTaskInputs") or {}
    custom = JobRecord(
        name=f"{parent}/customJobs/{new_id()}",
        body={"displayName": f"{pipeline.body.get('displayName', '')}-custom-job", "jobSpec": inputs},
    )
    with state.lock:
        state.custom_jobs[custom.name] = custom
    pipeline.extra["trainingTaskMetadata"] = {"backingCustomJob": custom.name}
    _run_custom_job(state, custom, job, _data_uris(pipeline.body))
    if job.cancelled.is_set():
        return
    if custom.state != "SUCCEEDED":
        pipeline.move(custom.state, custom.error)
        return
    try:
        _upload(state, pipeline, parent, inputs)
    except GoogleError as err:
        pipeline.move("FAILED", err.rpc_status())
        return
    except Exception as exc:  # noqa: BLE001 - reported as the pipeline's error
        pipeline.move("FAILED", _internal(exc))
        return
    pipeline.move("SUCCEEDED")


def _upload(state: VertexState, pipeline: JobRecord, parent: str, inputs: dict[str, Any]) -> None:
    model = pipeline.body.get("modelToUpload")
    if not model:
        return
    base = str((inputs.get("baseOutputDirectory") or {}).get("outputUriPrefix", "")).rstrip("/")
    model = {**model, "artifactUri": model.get("artifactUri") or f"{base}/model/"}
    uploaded = upload_model(
        state,
        parent,
        {
            "model": model,
            "modelId": pipeline.body.get("modelId", ""),
            "parentModel": pipeline.body.get("parentModel", ""),
        },
    )
    pipeline.extra["modelToUpload"] = uploaded.to_json(uploaded.latest)


def _data_uris(body: dict[str, Any]) -> DataUris:
    config = body.get("inputDataConfig") or {}
    destination = str((config.get("gcsDestination") or {}).get("outputUriPrefix", "")).rstrip("/")
    if not destination:
        return DataUris()
    return DataUris(
        training=f"{destination}/training-*",
        validation=f"{destination}/validation-*",
        test=f"{destination}/test-*",
        data_format="csv",
    )
