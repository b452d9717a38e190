"""One pipeline task run under the KFP executor contract: ``--executor_input`` JSON in, executor output out.

The component's embedded source runs with ``python -m kfp.dsl.executor_main`` in its own process group. Vertex
mounts Cloud Storage at ``/gcs/`` (GCSFuse) so an artifact's ``.path`` is a file; here the mount is a folder
of the job (``Artifact.path`` maps ``gs://b/x`` to ``<job>/gcs/b/x``), and each task's output artifacts are
uploaded to their ``gs://`` URIs under the pipeline root when it succeeds.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.emulation.jobs.processes import run_watched
from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.gcs_objects import read_object
from gcp_ai_services.emulator.vertex import gcs_files
from gcp_ai_services.emulator.vertex.pipeline_spec import PythonTask, coerce
from gcp_ai_services.emulator.vertex.resources import new_id

#: the executor with the GCSFuse mount moved to a folder of the job (the first argument)
_WRAPPER = (
    "import runpy, sys\n"
    "import kfp.dsl.types.artifact_types as types\n"
    "types._GCS_LOCAL_MOUNT_PREFIX = sys.argv.pop(1)\n"
    "sys.argv[0] = 'kfp.dsl.executor_main'\n"
    "runpy.run_module('kfp.dsl.executor_main', run_name='__main__', alter_sys=True)\n"
)
TASK_TIMEOUT = 3600.0
MAX_IMPORT_BYTES = 1024 * 1024 * 1024


@dataclass
class TaskOutcome:
    """What a task produced: parameters by name, runtime artifacts by name, its logs and any error."""

    parameters: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    input_artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str = ""
    stopped: bool = False


@dataclass(frozen=True)
class TaskContext:
    """Where a task runs and what came before it."""

    folder: Path
    pipeline_root: str
    job_id: str
    store: str
    parameters: dict[str, Any]
    finished: dict[str, TaskOutcome]
    should_stop: Callable[[], bool]


def run_task(task: PythonTask, task_id: str, context: TaskContext) -> TaskOutcome:
    """Run ``task``; a failing component is an outcome with ``error``, never an exception."""
    outcome = TaskOutcome()
    work = context.folder / f"{task.name}_{task_id}"
    work.mkdir(parents=True, exist_ok=True)
    outcome.inputs = input_parameters(task, context)
    outcome.input_artifacts = _input_artifacts(task, context)
    outputs = task.component.get("outputDefinitions") or {}
    if task.importer is not None:
        return _import(task, outcome, context)
    artifacts = {
        name: _new_artifact(
            name, definition, f"{context.pipeline_root}/{context.job_id}/{task.name}_{task_id}", context
        )
        for name, definition in (outputs.get("artifacts") or {}).items()
    }
    executor_output = work / "executor_output.json"
    executor_input = {
        "inputs": {
            "parameterValues": outcome.inputs,
            "artifacts": {k: {"artifacts": [a]} for k, a in outcome.input_artifacts.items()},
        },
        "outputs": {
            "parameters": {
                k: {"outputFile": str(work / "parameters" / k)} for k in outputs.get("parameters") or {}
            },
            "artifacts": {k: {"artifacts": [a]} for k, a in artifacts.items()},
            "outputFile": str(executor_output),
        },
    }
    module = work / "ephemeral_component.py"
    module.write_text(task.source)
    arguments = [json.dumps(executor_input) if a == "{{$}}" else a for a in task.args]
    env = {**os.environ, "_KFP_RUNTIME": "true", "PYTHONUNBUFFERED": "1"}
    mount = str(context.folder / "gcs") + "/"
    command = [sys.executable, "-c", _WRAPPER, mount, "--component_module_path", str(module), *arguments]
    done = run_watched(command, cwd=work, env=env, timeout=TASK_TIMEOUT, should_stop=context.should_stop)
    (work / "task.log").write_text(done.stdout + done.stderr)
    if done.stopped:
        outcome.stopped = True
        return outcome
    if done.returncode != 0 or done.timed_out:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
        why = "timed out" if done.timed_out else f"exited with status {done.returncode}"
        outcome.error = f"The task {task.name} {why}:\n{tail}"
        return outcome
    written = json.loads(executor_output.read_text()) if executor_output.is_file() else {}
    outcome.parameters = {
        k: coerce(v, (outputs.get("parameters") or {}).get(k, {}).get("parameterType", ""))
        for k, v in (written.get("parameterValues") or {}).items()
    }
    for name, artifact in artifacts.items():
        given = ((written.get("artifacts") or {}).get(name) or {}).get("artifacts") or [{}]
        outcome.artifacts[name] = {
            **artifact,
            **{k: v for k, v in given[0].items() if k in ("uri", "metadata")},
        }
        _upload(context.folder / "gcs", str(outcome.artifacts[name]["uri"]))
    return outcome


def input_parameters(task: PythonTask, context: TaskContext) -> dict[str, Any]:
    declared = ((task.component.get("inputDefinitions") or {}).get("parameters")) or {}
    given = ((task.spec.get("inputs") or {}).get("parameters")) or {}
    values: dict[str, Any] = {}
    for name, source in given.items():
        if "componentInputParameter" in source:
            key = str(source["componentInputParameter"])
            if key in context.parameters:
                values[name] = context.parameters[key]
        elif "taskOutputParameter" in source:
            producer = source["taskOutputParameter"]
            values[name] = context.finished[str(producer["producerTask"])].parameters.get(
                str(producer["outputParameterKey"])
            )
        elif "runtimeValue" in source:
            values[name] = (source["runtimeValue"] or {}).get("constant")
        else:
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Task {task.name}: input {name} comes from {sorted(source)}, which the local emulator "
                "does not resolve.",
            )
    for name, definition in declared.items():
        if name not in values and "defaultValue" in definition:
            values[name] = definition["defaultValue"]
        if name in values:
            values[name] = coerce(values[name], str(definition.get("parameterType", "")))
    return values


def _input_artifacts(task: PythonTask, context: TaskContext) -> dict[str, dict[str, Any]]:
    given = ((task.spec.get("inputs") or {}).get("artifacts")) or {}
    found: dict[str, dict[str, Any]] = {}
    for name, source in given.items():
        producer = source.get("taskOutputArtifact")
        if not isinstance(producer, dict):
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Task {task.name}: artifact {name} comes from {sorted(source)}, which the local emulator "
                "does not resolve.",
            )
        found[name] = context.finished[str(producer["producerTask"])].artifacts[
            str(producer["outputArtifactKey"])
        ]
    return found


def _new_artifact(name: str, definition: dict[str, Any], folder: str, context: TaskContext) -> dict[str, Any]:
    kind = definition.get("artifactType") or {}
    return {
        "name": f"{context.store}/artifacts/{new_id()}",
        "type": {
            "schemaTitle": kind.get("schemaTitle", "system.Artifact"),
            "schemaVersion": kind.get("schemaVersion", "0.0.1"),
        },
        "uri": f"{folder}/{name}",
        "metadata": {},
    }


def _upload(mount: Path, uri: str) -> None:
    """The file or folder the task wrote for ``uri`` in the mount, copied to Cloud Storage (none: nothing)."""
    if not uri.startswith("gs://"):
        return
    local = mount / uri.removeprefix("gs://")
    if local.is_dir():
        gcs_files.upload_directory(local, uri + "/")
    elif local.is_file():
        gcs_files.upload_file(local, uri)


def _import(task: PythonTask, outcome: TaskOutcome, context: TaskContext) -> TaskOutcome:
    """``dsl.importer``: the artifact at ``artifactUri`` (a constant or the task's parameter), mounted."""
    spec = task.importer or {}
    given = spec.get("artifactUri") or {}
    uri = str(given.get("constant") or outcome.inputs.get(str(given.get("runtimeParameter", ""))) or "")
    if not uri:
        outcome.error = f"The importer task {task.name} has no artifact_uri."
        return outcome
    kind = spec.get("typeSchema") or {}
    key = next(iter((task.component.get("outputDefinitions") or {}).get("artifacts") or {"artifact": {}}))
    outcome.artifacts[key] = {
        "name": f"{context.store}/artifacts/{new_id()}",
        "type": {
            "schemaTitle": kind.get("schemaTitle", "system.Artifact"),
            "schemaVersion": kind.get("schemaVersion", "0.0.1"),
        },
        "uri": uri,
        "metadata": dict(spec.get("metadata") or {}),
    }
    if uri.startswith("gs://"):
        _mount(context.folder / "gcs", uri)
    return outcome


def _mount(mount: Path, uri: str) -> None:
    """The object ``uri`` (or every object under it as a folder) copied into the job's mount."""
    bucket, name = gcs_files.split_uri(uri)
    folder = name.rstrip("/") + "/"
    for found in gcs_files.list_objects(uri):
        if found == name or found.startswith(folder):
            target = mount / bucket / found
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(read_object(f"gs://{bucket}/{found}", MAX_IMPORT_BYTES))
