"""REST methods of ``customJobs`` and ``trainingPipelines``: create runs the code in the server."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex import job_lifecycle as jobs
from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.job_runner import CANCELLED, start_custom_job, start_pipeline
from gcp_ai_services.emulator.vertex.resources import camel_keys, new_id, required
from gcp_ai_services.emulator.vertex.state import JOBS, VertexState
from gcp_ai_services.emulator.vertex.training_run import check_worker_pools

PARENT = "{parent=projects/*/locations/*}"
COLLECTIONS = {
    "customJobs": ("CustomJob", "JOB_STATE_"),
    "trainingPipelines": ("TrainingPipeline", "PIPELINE_STATE_"),
}


class TrainingAPI:
    def __init__(self, state: VertexState) -> None:
        self.state = state

    def routes(self, version: str) -> GoogleRoutes:
        routes = GoogleRoutes()
        for collection in COLLECTIONS:
            name = f"{{name=projects/*/locations/*/{collection}/*}}"
            routes.add("POST", f"/{version}/{PARENT}/{collection}", self._bind(self.create, collection))
            routes.add("GET", f"/{version}/{PARENT}/{collection}", self._bind(self.list, collection))
            routes.add("GET", f"/{version}/{name}", self._bind(self.get, collection))
            routes.add("POST", f"/{version}/{name}:cancel", self._bind(self.cancel, collection))
            routes.add("DELETE", f"/{version}/{name}", self._bind(self.delete, collection))
        return routes

    @staticmethod
    def _bind(method: Any, collection: str) -> Any:
        return lambda request, **bound: method(collection, request, **bound)

    def _records(self, collection: str) -> dict[str, JobRecord]:
        return self.state.custom_jobs if collection == "customJobs" else self.state.pipelines

    def create(self, collection: str, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        kind = COLLECTIONS[collection][0]
        required(body, "displayName", kind)
        if collection == "customJobs":
            check_worker_pools(required(body, "jobSpec", kind), "custom_job.job_spec")
        else:
            required(body, "trainingTaskDefinition", kind)
            body["trainingTaskInputs"] = camel_keys(body.get("trainingTaskInputs") or {})
            check_worker_pools(
                required(body, "trainingTaskInputs", kind), "training_pipeline.training_task_inputs"
            )
        record = JobRecord(
            name=f"{parent}/{collection}/{new_id()}", body=body, state_prefix=COLLECTIONS[collection][1]
        )
        with self.state.lock:
            self._records(collection)[record.name] = record
        (start_custom_job if collection == "customJobs" else start_pipeline)(self.state, record)
        return record.to_json()

    def get(self, collection: str, request: Any, name: str) -> dict[str, Any]:
        return self._find(collection, name).to_json()

    def list(self, collection: str, request: Any, parent: str) -> dict[str, Any]:
        return jobs.listed(self.state, self._records(collection), collection, parent, request.args)

    def cancel(self, collection: str, request: Any, name: str) -> dict[str, Any]:
        record = self._find(collection, name)
        jobs.check_cancellable(record, name)
        record.move("CANCELLED", CANCELLED)
        JOBS.stop(name)
        backing = record.extra.get("trainingTaskMetadata", {}).get("backingCustomJob")
        if backing and backing in self.state.custom_jobs:
            self.state.custom_jobs[backing].move("CANCELLED", CANCELLED)
        return {}

    def delete(self, collection: str, request: Any, name: str) -> dict[str, Any]:
        return jobs.delete(self.state, self._records(collection), self._find(collection, name))

    def _find(self, collection: str, name: str) -> JobRecord:
        return jobs.find(self.state, self._records(collection), COLLECTIONS[collection][0], name)
