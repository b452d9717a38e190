"""The workspace's data-plane services: the discovery document and run history (``jobs.stream``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.routing import json_body

from azure_ai_services.emulator.azure_ml.execution import LOG_NAME, run_prefix
from azure_ai_services.emulator.azure_ml.resources import PROVIDER, Scope
from azure_ai_services.emulator.unversioned_routes import PathVersionedRoutes

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

    from azure_ai_services.emulator.azure_ml.workspace import AzureML

DISCOVERY_PATH = "/discovery"
HISTORY_WS = (
    "/history/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/" + PROVIDER + "/workspaces/{ws}"
)
DATA_WS = "/data/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/" + PROVIDER + "/workspaces/{ws}"
#: a job's outputs as run history names them: ``azureml://datastores/...`` is the asset id and the URI
DEFAULT_OUTPUT = "default"
SERVICES = (
    "api",
    "catalog",
    "experimentation",
    "gallery",
    "history",
    "hyperdrive",
    "labeling",
    "modelmanagement",
    "pipelines",
    "studiometadata",
)


def routes(ml: AzureML) -> PathVersionedRoutes:
    table = PathVersionedRoutes()
    table.add("GET", DISCOVERY_PATH, discovery)
    table.add("GET", HISTORY_WS + "/runs/{name}/details", lambda request, **bound: run_details(ml, **bound))
    table.add(
        "GET",
        HISTORY_WS + "/experiments/{experiment}/runs/{name}/details",
        lambda request, experiment, **bound: run_details(ml, **bound),
    )
    table.add(
        "GET",
        HISTORY_WS + "/runs/{name}/children",
        lambda request, **bound: {"value": children(ml, **bound)},
    )
    table.add("POST", HISTORY_WS + "/rundata", lambda request, **bound: run_data(ml, request, **bound))
    table.add("POST", DATA_WS + "/dataversion/batchGetResolvedUris", resolved_uris)
    return table


def discovery(request: Request) -> dict[str, str]:
    """Every workspace service lives at this emulator's address."""
    base = request.host_url.rstrip("/")
    return {service: base for service in SERVICES}


def run_details(ml: AzureML, sub: str, rg: str, ws: str, name: str) -> dict[str, Any]:
    """Run history's view of a job: status, times, the error and signed URLs of its log files."""
    scope = Scope(sub, rg, ws)
    record = ml.jobs.get(scope, name)
    details: dict[str, Any] = {
        "runId": record.name,
        "status": record.status,
        "target": "local",
        "logFiles": {},
    }
    if record.start_time:
        details["startTimeUtc"] = record.start_time
    if record.end_time:
        details["endTimeUtc"] = record.end_time
    if record.error is not None:
        details["error"] = {"error": record.error}
    if record.has_log:
        container = ml.container_name(scope)
        url = ml.blobs.blob_url(container, f"{run_prefix(record.name)}/{LOG_NAME}")
        details["logFiles"] = {LOG_NAME: url}
    return details


def children(ml: AzureML, sub: str, rg: str, ws: str, name: str) -> list[dict[str, Any]]:
    """Run history's view of a job's child runs (``jobs.list(parent_job_name=...)``)."""
    scope = Scope(sub, rg, ws)
    ml.jobs.get(scope, name)
    found = []
    for record in ml.jobs.children(scope, name):
        details = run_details(ml, sub, rg, ws, record.name)
        details.pop("logFiles", None)
        details.update(
            {
                "parentRunId": name,
                "displayName": str(record.properties.get("displayName") or record.name),
                "experimentId": str(record.properties.get("experimentName") or "Default"),
                "properties": dict(record.properties.get("properties") or {}),
                "tags": dict(record.properties.get("tags") or {}),
                "runType": "azureml.scriptrun",
            }
        )
        found.append(details)
    return found


def run_data(ml: AzureML, request: Request, sub: str, rg: str, ws: str) -> dict[str, Any]:
    """A run's outputs (``default``: its logs and ``./outputs``), as ``jobs.download`` reads them."""
    body = json_body(request)
    scope = Scope(sub, rg, ws)
    record = ml.jobs.get(scope, str(body.get("runId", "")))
    outputs = {
        name: {"assetId": uri, "type": "uri_folder"}
        for name, uri in {**record.outputs, DEFAULT_OUTPUT: default_output_uri(record.name)}.items()
    }
    return {"runMetadata": {"runId": record.name, "status": record.status, "outputs": outputs}}


def default_output_uri(name: str) -> str:
    return f"azureml://datastores/workspaceblobstore/paths/{run_prefix(name)}/"


def resolved_uris(request: Request, **bound: str) -> dict[str, Any]:
    """Data asset ids of run outputs are their ``azureml://datastores`` URIs here."""
    ids = [str(value) for value in json_body(request).get("values") or []]
    return {"values": {asset: {"uri": asset, "type": "uri_folder"} for asset in ids}}
