"""A pipeline job's run in the server: tasks in dependency order, each recorded in ``jobDetail.taskDetails``.

A failing task fails the pipeline with its error (as Vertex: "The DAG failed because some tasks failed");
the tasks after it are never started. Parameters go to each task's ``execution.metadata`` as
``input:<name>``/``output:<name>`` and artifacts to its ``inputs``/``outputs``, as Vertex records them.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import replace
from typing import Any

from multi_cloud.emulation.jobs.store import BackgroundJob
from multi_cloud.emulation.protocols.google.errors import CANONICAL, GoogleError

from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.pipeline_conditions import condition_holds
from gcp_ai_services.emulator.vertex.pipeline_metadata import record_artifacts, record_execution
from gcp_ai_services.emulator.vertex.pipeline_spec import PythonTask, ordered_tasks, pipeline_parameters
from gcp_ai_services.emulator.vertex.pipeline_tasks import (
    TaskContext,
    TaskOutcome,
    input_parameters,
    run_task,
)
from gcp_ai_services.emulator.vertex.resources import new_id, now
from gcp_ai_services.emulator.vertex.state import JOBS, VertexState

log = logging.getLogger("multi_cloud.emulation")
CANCELLED = {"code": CANONICAL["CANCELLED"][0], "message": "CANCELLED"}


def start_pipeline_job(state: VertexState, record: JobRecord) -> None:
    JOBS.submit(record.name, state.scope, lambda job: run_pipeline_job(state, record, job))


def run_pipeline_job(state: VertexState, record: JobRecord, job: BackgroundJob) -> None:
    if not record.move("RUNNING"):
        return
    try:
        _run(state, record, job)
    except GoogleError as err:
        record.move("FAILED", err.rpc_status())
    except Exception as exc:  # noqa: BLE001 - the local cloud's own failure ends the job, not the server
        log.exception("the local Vertex AI failed running a pipeline")
        record.move("FAILED", {"code": CANONICAL["INTERNAL"][0], "message": f"{type(exc).__name__}: {exc}"})


class _Details:
    """The job's ``jobDetail``, republished as a fresh copy after every change (readers never see it torn),
    and the same executions and artifacts kept in ML Metadata."""

    def __init__(self, state: VertexState, record: JobRecord, store: str, pipeline: str) -> None:
        self.state = state
        self.record = record
        self.store = store
        self.root = _detail(_task_id(), pipeline, "RUNNING", store)
        self.root["startTime"] = now()
        self.tasks: list[dict[str, Any]] = []
        with record.lock:
            detail = record.extra.get("jobDetail") or {}
        self.contexts = {k: detail[k] for k in ("pipelineContext", "pipelineRunContext") if k in detail}
        self.run_context = str(self.contexts["pipelineRunContext"]["name"])

    def add(self, name: str, parent: str) -> dict[str, Any]:
        detail = _detail(_task_id(), name, "RUNNING", self.store)
        detail["parentTaskId"] = parent
        detail["startTime"] = now()
        self.tasks.append(detail)
        self.publish()
        return detail

    def publish(self) -> None:
        body = {**self.contexts, "taskDetails": copy.deepcopy([self.root, *self.tasks])}
        with self.record.lock:
            self.record.extra["jobDetail"] = body
        for detail in (self.root, *self.tasks):
            schema = "system.Run" if detail is self.root else "system.ContainerExecution"
            record_execution(self.state, self.run_context, detail["execution"], schema)
            for kind, event in (("inputs", "INPUT"), ("outputs", "OUTPUT")):
                listed = {k: v["artifacts"][0] for k, v in (detail.get(kind) or {}).items()}
                record_artifacts(self.state, self.run_context, detail["execution"]["name"], listed, event)


def _run(state: VertexState, record: JobRecord, job: BackgroundJob) -> None:
    spec = record.body["pipelineSpec"]
    runtime = record.body.get("runtimeConfig") or {}
    parameters = pipeline_parameters(spec, runtime.get("parameterValues"))
    tasks = ordered_tasks(spec)
    parent, _, job_id = record.name.partition("/pipelineJobs/")
    store = f"{parent}/metadataStores/default"
    details = _Details(state, record, store, str((spec.get("pipelineInfo") or {}).get("name", "pipeline")))
    details.root["execution"]["metadata"] = {f"input:{k}": v for k, v in parameters.items()}
    details.publish()
    context = TaskContext(
        folder=state.work_root / f"pipeline-{job_id}",
        pipeline_root=str(runtime.get("gcsOutputDirectory", "")).rstrip("/"),
        job_id=job_id,
        store=store,
        parameters=parameters,
        finished={},
        should_stop=job.stop_requested.is_set,
    )
    ended, failed, why = _run_dag(spec, tasks, context, details, str(details.root["taskId"]))
    if ended == "CANCELLED" or job.stop_requested.is_set():
        _finish(details, "CANCELLED", CANCELLED)
        record.move("CANCELLED", CANCELLED)
    elif ended == "FAILED":
        error = {
            "code": CANONICAL["FAILED_PRECONDITION"][0],
            "message": f"The DAG failed because some tasks failed. The failed tasks are: [{failed}].; {why}",
        }
        _finish(details, "FAILED", error)
        record.move("FAILED", error)
    else:
        details.root["execution"]["metadata"].update(_pipeline_outputs(spec, context.finished))
        _finish(details, "SUCCEEDED", None)
        record.move("SUCCEEDED")


def _run_dag(
    spec: dict[str, Any], tasks: list[PythonTask], context: TaskContext, details: _Details, parent: str
) -> tuple[str, str, str]:
    """Run ``tasks`` in order: ``("SUCCEEDED" | "FAILED" | "CANCELLED", failed task, its error)``."""
    for task in tasks:
        detail = details.add(task.name, parent)
        if task.condition and not condition_holds(task.condition, input_parameters(task, context)):
            detail |= {"state": "SKIPPED", "endTime": now()}
            detail["execution"]["state"] = "NEW"
            details.publish()
            continue
        if task.dag is not None:
            inner = replace(context, parameters=input_parameters(task, context), finished={})
            ended, failed, why = _run_dag(
                spec, ordered_tasks(spec, task.dag), inner, details, str(detail["taskId"])
            )
            detail |= {"state": ended, "endTime": now()}
            detail["execution"]["state"] = {"SUCCEEDED": "COMPLETE"}.get(ended, ended)
            details.publish()
            if ended != "SUCCEEDED":
                return ended, failed, why
            context.finished[task.name] = _dag_outputs(task.dag, inner.finished)
            continue
        outcome = run_task(task, str(detail["taskId"]), context)
        _record(detail, task, outcome)
        details.publish()
        if outcome.stopped or context.should_stop():
            return "CANCELLED", task.name, ""
        if outcome.error:
            return "FAILED", task.name, outcome.error
        context.finished[task.name] = outcome
    return "SUCCEEDED", "", ""


def _record(detail: dict[str, Any], task: PythonTask, outcome: TaskOutcome) -> None:
    detail["endTime"] = now()
    detail["state"] = "CANCELLED" if outcome.stopped else "FAILED" if outcome.error else "SUCCEEDED"
    detail["execution"]["state"] = (
        "CANCELLED" if outcome.stopped else "FAILED" if outcome.error else "COMPLETE"
    )
    metadata = {f"input:{k}": v for k, v in outcome.inputs.items()}
    metadata |= {f"output:{k}": v for k, v in outcome.parameters.items()}
    detail["execution"]["metadata"] = metadata
    detail["inputs"] = {
        k: {"artifacts": [_metadata_artifact(k, a)]} for k, a in outcome.input_artifacts.items()
    }
    detail["outputs"] = {k: {"artifacts": [_metadata_artifact(k, a)]} for k, a in outcome.artifacts.items()}
    if outcome.error:
        detail["error"] = {"code": CANONICAL["FAILED_PRECONDITION"][0], "message": outcome.error}


def _finish(details: _Details, state: str, error: dict[str, Any] | None) -> None:
    details.root["state"] = state
    details.root["endTime"] = now()
    details.root["execution"]["state"] = {"SUCCEEDED": "COMPLETE"}.get(state, state)
    if error is not None:
        details.root["error"] = error
    details.publish()


def _dag_outputs(dag: dict[str, Any], finished: dict[str, TaskOutcome]) -> TaskOutcome:
    """What a nested DAG (a sub-pipeline) hands on: its declared outputs, taken from its inner tasks."""
    declared = dag.get("outputs") or {}
    outcome = TaskOutcome()
    for name, source in (declared.get("parameters") or {}).items():
        selector = (source or {}).get("valueFromParameter") or {}
        producer = finished.get(str(selector.get("producerSubtask", "")))
        if producer is not None:
            outcome.parameters[name] = producer.parameters.get(str(selector.get("outputParameterKey", "")))
    for name, source in (declared.get("artifacts") or {}).items():
        for selector in (source or {}).get("artifactSelectors") or []:
            producer = finished.get(str(selector.get("producerSubtask", "")))
            key = str(selector.get("outputArtifactKey", ""))
            if producer is not None and key in producer.artifacts:
                outcome.artifacts[name] = producer.artifacts[key]
    return outcome


def _pipeline_outputs(spec: dict[str, Any], finished: dict[str, TaskOutcome]) -> dict[str, Any]:
    outputs = (((spec.get("root") or {}).get("dag") or {}).get("outputs") or {}).get("parameters") or {}
    found: dict[str, Any] = {}
    for name, source in outputs.items():
        selector = (source or {}).get("valueFromParameter") or {}
        producer = finished.get(str(selector.get("producerSubtask", "")))
        if producer is not None:
            found[f"output:{name}"] = producer.parameters.get(str(selector.get("outputParameterKey", "")))
    return found


def _task_id() -> str:
    """A task id as Vertex makes them: a decimal int64."""
    return new_id()[:16]


def _detail(task_id: str, name: str, state: str, store: str) -> dict[str, Any]:
    stamp = now()
    return {
        "taskId": task_id,
        "taskName": name,
        "createTime": stamp,
        "state": state,
        "execution": {
            "name": f"{store}/executions/{task_id}",
            "displayName": name,
            "state": "RUNNING",
            "schemaTitle": "system.ContainerExecution",
            "metadata": {},
        },
    }


def _metadata_artifact(key: str, runtime: dict[str, Any]) -> dict[str, Any]:
    """A runtime artifact (executor JSON) as the metadata ``Artifact`` message task details carry."""
    kind = runtime.get("type") or {}
    return {
        "name": runtime.get("name", ""),
        "displayName": key,
        "uri": runtime.get("uri", ""),
        "schemaTitle": kind.get("schemaTitle", "system.Artifact"),
        "schemaVersion": kind.get("schemaVersion", "0.0.1"),
        "metadata": runtime.get("metadata") or {},
        "state": "LIVE",
    }
