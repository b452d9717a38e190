"""REST methods of ``batchPredictionJobs``: create (runs in the background), get, list, cancel, delete."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.errors import CANONICAL
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex import job_lifecycle as jobs
from gcp_ai_services.emulator.vertex.batch_prediction import check_request, start_batch_prediction
from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.resources import new_id
from gcp_ai_services.emulator.vertex.state import JOBS, VertexState


class BatchPredictionAPI:
    def __init__(self, state: VertexState) -> None:
        self.state = state

    def routes(self, version: str) -> GoogleRoutes:
        return jobs.job_routes(self, version, "batchPredictionJobs")

    def create(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        check_request(self.state, body)
        record = JobRecord(name=f"{parent}/batchPredictionJobs/{new_id()}", body=body, state="PENDING")
        with self.state.lock:
            self.state.batch_jobs[record.name] = record
        start_batch_prediction(self.state, record)
        return record.to_json()

    def get(self, request: Any, name: str) -> dict[str, Any]:
        return self._find(name).to_json()

    def list(self, request: Any, parent: str) -> dict[str, Any]:
        return jobs.listed(self.state, self.state.batch_jobs, "batchPredictionJobs", parent, request.args)

    def cancel(self, request: Any, name: str) -> dict[str, Any]:
        record = self._find(name)
        jobs.check_cancellable(record, name)
        record.move("CANCELLED", {"code": CANONICAL["CANCELLED"][0], "message": "CANCELLED"})
        JOBS.stop(name)
        return {}

    def delete(self, request: Any, name: str) -> dict[str, Any]:
        return jobs.delete(self.state, self.state.batch_jobs, self._find(name))

    def _find(self, name: str) -> JobRecord:
        return jobs.find(self.state, self.state.batch_jobs, "BatchPredictionJob", name)
