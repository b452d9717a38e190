"""The workspace's MLflow tracking: what ``mlflow.log_metric`` in a job and ``mlflow.get_run`` outside call.

A job runs with ``MLFLOW_TRACKING_URI`` (the workspace's ``mlFlowTrackingUri``) and ``MLFLOW_RUN_ID`` (the
job's name), as in Azure ML; metrics, params and tags are kept on the job's record.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.routing import json_body

from azure_ai_services.emulator.azure_ml.jobs import JobRecord
from azure_ai_services.emulator.azure_ml.resources import PROVIDER, Scope
from azure_ai_services.emulator.unversioned_routes import PathVersionedRoutes

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

    from azure_ai_services.emulator.azure_ml.workspace import AzureML

TRACKING_WS = (
    "/mlflow/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/" + PROVIDER + "/workspaces/{ws}"
)
API = TRACKING_WS + "/api/2.0/mlflow"
MLFLOW_STATUS = {"Completed": "FINISHED", "Failed": "FAILED", "Canceled": "KILLED"}


def tracking_uri(base_url: str, scope: Scope) -> str:
    return f"{base_url.rstrip('/')}/mlflow/v1.0{scope.id}"


class Tracking:
    """MLflow's REST calls for runs (runs are jobs)."""

    def __init__(self, ml: AzureML) -> None:
        self.ml = ml

    def routes(self) -> PathVersionedRoutes:
        table = PathVersionedRoutes()
        table.add("GET", API + "/runs/get", self.get_run)
        table.add("POST", API + "/runs/log-metric", self.log_metric)
        table.add("POST", API + "/runs/log-parameter", self.log_parameter)
        table.add("POST", API + "/runs/set-tag", self.set_tag)
        table.add("POST", API + "/runs/log-batch", self.log_batch)
        table.add("POST", API + "/runs/update", self.update)
        return table

    def _record(self, run_id: str, bound: dict[str, str]) -> JobRecord:
        if not run_id:
            raise AzureError(400, "INVALID_PARAMETER_VALUE", "run_id is required")
        return self.ml.jobs.get(Scope(bound["sub"], bound["rg"], bound["ws"]), run_id)

    def get_run(self, request: Request, **bound: str) -> dict[str, Any]:
        record = self._record(request.args.get("run_id", ""), bound)
        return {"run": run_json(record)}

    def log_metric(self, request: Request, **bound: str) -> dict[str, Any]:
        body = json_body(request)
        record = self._record(str(body.get("run_id") or body.get("run_uuid") or ""), bound)
        record.metrics.append(_metric(body))
        return {}

    def log_parameter(self, request: Request, **bound: str) -> dict[str, Any]:
        body = json_body(request)
        record = self._record(str(body.get("run_id") or ""), bound)
        record.params[str(body.get("key"))] = str(body.get("value"))
        return {}

    def set_tag(self, request: Request, **bound: str) -> dict[str, Any]:
        body = json_body(request)
        record = self._record(str(body.get("run_id") or ""), bound)
        record.tags[str(body.get("key"))] = str(body.get("value"))
        return {}

    def log_batch(self, request: Request, **bound: str) -> dict[str, Any]:
        body = json_body(request)
        record = self._record(str(body.get("run_id") or ""), bound)
        record.metrics.extend(_metric(metric) for metric in body.get("metrics") or [])
        record.params.update({str(p["key"]): str(p["value"]) for p in body.get("params") or []})
        record.tags.update({str(t["key"]): str(t["value"]) for t in body.get("tags") or []})
        return {}

    def update(self, request: Request, **bound: str) -> dict[str, Any]:
        """The script's own end of the run: the job's status stays the server's."""
        body = json_body(request)
        record = self._record(str(body.get("run_id") or ""), bound)
        return {"run_info": run_json(record)["info"]}


def _metric(body: dict[str, Any]) -> dict[str, Any]:
    try:
        value = float(body["value"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AzureError(400, "INVALID_PARAMETER_VALUE", f"a metric needs a numeric value: {exc}") from exc
    return {
        "key": str(body.get("key", "")),
        "value": value,
        "timestamp": int(body.get("timestamp") or time.time() * 1000),
        "step": int(body.get("step") or 0),
    }


def run_json(record: JobRecord) -> dict[str, Any]:
    """MLflow's ``Run``: info (status from the job) and data (latest value of each metric)."""
    latest: dict[str, dict[str, Any]] = {}
    for metric in record.metrics:
        latest[metric["key"]] = metric
    info = {
        "run_id": record.name,
        "run_uuid": record.name,
        "run_name": record.name,
        "experiment_id": "0",
        "status": MLFLOW_STATUS.get(record.status, "RUNNING"),
        "lifecycle_stage": "active",
        "artifact_uri": "",
        "start_time": 0,
    }
    data = {
        "metrics": list(latest.values()),
        "params": [{"key": k, "value": v} for k, v in record.params.items()],
        "tags": [{"key": k, "value": v} for k, v in record.tags.items()],
    }
    return {"info": info, "data": data}
