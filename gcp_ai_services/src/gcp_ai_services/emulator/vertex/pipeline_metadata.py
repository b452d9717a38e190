"""A pipeline job's lineage in ML Metadata, as Vertex records it: what Experiments read for pipeline runs.

The ``system.Pipeline`` context and the job's ``system.PipelineRun`` context exist from create (so
``submit(experiment=...)`` can link the run at once); the run's ``system.Run`` execution holds
``input:<parameter>`` values and its state, each task is a ``system.ContainerExecution`` with INPUT/OUTPUT
events, and every output artifact (``system.Metrics`` with their logged values) joins the run context.
"""

from __future__ import annotations

from typing import Any

from gcp_ai_services.emulator.vertex.metadata_store import MetadataStore
from gcp_ai_services.emulator.vertex.state import VertexState


def default_store(state: VertexState, parent: str) -> MetadataStore:
    """The location's ``default`` metadata store, created on first use as Vertex does."""
    name = f"{parent}/metadataStores/default"
    with state.lock:
        store = state.metadata.get(name)
        if store is None:
            store = state.metadata[name] = MetadataStore(name)
        return store


def register_run(state: VertexState, parent: str, pipeline: str, job_id: str) -> dict[str, Any]:
    """The ``jobDetail`` contexts of a new run, created in the default store."""
    store = default_store(state, parent)
    pipeline_id = _context_id(pipeline)
    with state.lock:
        pipeline_name = f"{store.name}/contexts/{pipeline_id}"
        pipeline_context = store.resources.get(pipeline_name) or store.create(
            "contexts", {"displayName": pipeline, "schemaTitle": "system.Pipeline"}, pipeline_id
        )
        run = store.resources.get(f"{store.name}/contexts/{job_id}") or store.create(
            "contexts",
            {"displayName": job_id, "schemaTitle": "system.PipelineRun", "parentContexts": [pipeline_name]},
            job_id,
        )
        return {"pipelineContext": dict(pipeline_context), "pipelineRunContext": dict(run)}


def record_execution(state: VertexState, run_context: str, execution: dict[str, Any], schema: str) -> None:
    """Create or update ``execution`` (its ``name``, ``state``, ``metadata``) in the run's context."""
    store = default_store(state, run_context.split("/metadataStores/")[0])
    body = {
        "displayName": execution["displayName"],
        "schemaTitle": schema,
        "state": execution["state"],
        "metadata": dict(execution.get("metadata") or {}),
    }
    with state.lock:
        if execution["name"] in store.resources:
            store.update("executions", execution["name"], body, ["state", "metadata"])
        else:
            store.create("executions", body, execution["name"].rsplit("/", 1)[-1])
            store.add_members(run_context, [execution["name"]])


def record_artifacts(
    state: VertexState, run_context: str, execution: str, artifacts: dict[str, dict[str, Any]], event: str
) -> None:
    """Each artifact in the store (once) and in the run's context, linked to ``execution`` by ``event``."""
    store = default_store(state, run_context.split("/metadataStores/")[0])
    with state.lock:
        for artifact in artifacts.values():
            name = str(artifact["name"])
            body = {
                k: artifact[k] for k in ("displayName", "uri", "schemaTitle", "schemaVersion", "metadata")
            }
            if name not in store.resources:
                store.create("artifacts", body, name.rsplit("/", 1)[-1])
            store.add_members(run_context, [name])
            store.add_events(execution, [{"artifact": name, "type": event}])


def _context_id(pipeline: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in pipeline.lower()).strip("-") or "pipeline"
    return cleaned[:128]
