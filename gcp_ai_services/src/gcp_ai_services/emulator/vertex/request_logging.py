"""Request-response logging of endpoints (``predictRequestResponseLoggingConfig``) into local Cloud Storage.

Vertex streams sampled predict requests into the BigQuery table ``bq://PROJECT.DATASET.TABLE`` (by default
``logging_<endpoint display name>_<endpoint id>.request_response_logging``); there is no local BigQuery, so
each logged request is one JSON Lines object with the same columns (``endpoint``, ``deployed_model_id``,
``logging_time``, ``request_id``, ``request_payload``, ``response_payload``) at
``gs://PROJECT-request-response-logging/DATASET/TABLE/<logging_time>-<request_id>.jsonl``.
"""

from __future__ import annotations

import json
import re
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.gcs_objects import storage_url
from gcp_ai_services.emulator.vertex import gcs_files
from gcp_ai_services.emulator.vertex.endpoint_records import EndpointRecord
from gcp_ai_services.emulator.vertex.resources import now
from gcp_ai_services.emulator.vertex.state import VertexState

_TABLE = re.compile(r"^bq://(?P<project>[a-z][-a-z0-9]{4,61}[a-z0-9])\.(?P<dataset>\w+)\.(?P<table>\w+)$")
BUCKET_SUFFIX = "-request-response-logging"


def check_logging_config(body: dict[str, Any]) -> None:
    """INVALID_ARGUMENT for a sampling rate outside (0, 1] or a destination that is not ``bq://p.d.t``."""
    config = body.get("predictRequestResponseLoggingConfig") or {}
    if not config.get("enabled"):
        return
    rate = float(config.get("samplingRate") or 0.0)
    if not 0.0 < rate <= 1.0:
        raise GoogleError("INVALID_ARGUMENT", f"sampling_rate {rate} must be in (0, 1].")
    uri = str((config.get("bigqueryDestination") or {}).get("outputUri", ""))
    if uri and not _TABLE.match(uri):
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"Invalid bigquery_destination.output_uri {uri!r}: expected bq://project.dataset.table.",
        )


def log_prediction(
    state: VertexState, endpoint: EndpointRecord, request: dict[str, Any], answer: dict[str, Any]
) -> None:
    """Write one logged request (sampled at ``samplingRate``) when the endpoint's logging is enabled."""
    config = endpoint.body.get("predictRequestResponseLoggingConfig") or {}
    if not config.get("enabled") or state.rng.random() >= float(config.get("samplingRate") or 0.0):
        return
    project, dataset, table = destination(endpoint)
    stamp = now()
    request_id = uuid.uuid4().hex
    row = {
        "endpoint": endpoint.name,
        "deployed_model_id": answer.get("deployedModelId", ""),
        "logging_time": stamp,
        "request_id": request_id,
        "request_payload": [json.dumps(request)],
        "response_payload": [json.dumps({"predictions": answer.get("predictions", [])})],
    }
    bucket = f"{project}{BUCKET_SUFFIX}"
    _ensure_bucket(bucket, project)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", dir=state.work_root, delete=False) as handle:
        handle.write(json.dumps(row) + "\n")
    try:
        gcs_files.upload_file(
            Path(handle.name), f"gs://{bucket}/{dataset}/{table}/{stamp}-{request_id}.jsonl"
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)


def destination(endpoint: EndpointRecord) -> tuple[str, str, str]:
    """``(project, dataset, table)`` of the endpoint's logging table, Vertex's default when none is set."""
    config = endpoint.body.get("predictRequestResponseLoggingConfig") or {}
    match = _TABLE.match(str((config.get("bigqueryDestination") or {}).get("outputUri", "")))
    if match is not None:
        return match.group("project"), match.group("dataset"), match.group("table")
    project = endpoint.name.split("/")[1]
    display = re.sub(r"\W", "_", str(endpoint.body.get("displayName", "")))
    return project, f"logging_{display}_{endpoint.name.rsplit('/', 1)[-1]}", "request_response_logging"


def _ensure_bucket(bucket: str, project: str) -> None:
    request = urllib.request.Request(
        f"{storage_url()}/storage/v1/b?project={project}",
        data=json.dumps({"name": bucket}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback storage_url
            return
    except urllib.error.HTTPError as exc:
        if exc.code != 409:  # 409: the bucket is already there
            raise GoogleError(
                "FAILED_PRECONDITION", f"Cloud Storage refused to create {bucket}: HTTP {exc.code}"
            ) from exc
