"""What every Vertex job collection answers alike: find, list, the cancel check, delete as an operation."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes

from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.resources import done_operation, page
from gcp_ai_services.emulator.vertex.state import VertexState


def job_routes(api: Any, version: str, collection: str) -> GoogleRoutes:
    """create/list under ``parent``, get/cancel/delete by name: ``api`` has those five methods."""
    parent = "{parent=projects/*/locations/*}"
    name = f"{{name=projects/*/locations/*/{collection}/*}}"
    routes = GoogleRoutes()
    routes.add("POST", f"/{version}/{parent}/{collection}", api.create)
    routes.add("GET", f"/{version}/{parent}/{collection}", api.list)
    routes.add("GET", f"/{version}/{name}", api.get)
    routes.add("POST", f"/{version}/{name}:cancel", api.cancel)
    routes.add("DELETE", f"/{version}/{name}", api.delete)
    return routes


def find(state: VertexState, records: dict[str, JobRecord], label: str, name: str) -> JobRecord:
    """The job ``name``, or ``NOT_FOUND`` naming it (``label``: "BatchPredictionJob", ...)."""
    with state.lock:
        record = records.get(name)
    if record is None:
        raise GoogleError("NOT_FOUND", f"{label} {name} not found.")
    return record


def listed(
    state: VertexState, records: dict[str, JobRecord], collection: str, parent: str, args: Any
) -> dict[str, Any]:
    """One page of the jobs under ``parent``, as ``{collection: [...], nextPageToken}``."""
    with state.lock:
        found = [r for r in records.values() if r.name.startswith(parent + "/")]
    return page([r.to_json() for r in found], collection, args)


def check_cancellable(record: JobRecord, name: str) -> None:
    """``FAILED_PRECONDITION`` for a job that already ended."""
    if record.done:
        raise GoogleError(
            "FAILED_PRECONDITION", f"Cannot cancel {name}: it is already {record.to_json()['state']}."
        )


def delete(state: VertexState, records: dict[str, JobRecord], record: JobRecord) -> dict[str, Any]:
    """The delete operation of an ended job; ``FAILED_PRECONDITION`` while it runs, as Vertex answers."""
    if not record.done:
        raise GoogleError(
            "FAILED_PRECONDITION",
            f"{record.name} is {record.to_json()['state']}: cancel it and wait for a terminal state "
            "before deleting.",
        )

    def work() -> None:
        with state.lock:
            records.pop(record.name, None)

    return done_operation(state.operations, record.name, "DeleteOperationMetadata", work)
