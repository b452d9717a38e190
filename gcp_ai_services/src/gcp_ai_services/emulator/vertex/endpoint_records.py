"""Endpoints: deployed models loaded as the prebuilt prediction images load them, picked by traffic split."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.serving.traffic_split import choose_variant
from multi_cloud.emulation.serving.vertex_prebuilt import PrebuiltModel, PredictionError, load_prebuilt_model

from gcp_ai_services.emulator.vertex import gcs_files
from gcp_ai_services.emulator.vertex.automl_models import served_automl_model
from gcp_ai_services.emulator.vertex.model_registry import PREBUILT_PREDICTION, find_model
from gcp_ai_services.emulator.vertex.resources import new_id, now, percentages
from gcp_ai_services.emulator.vertex.state import VertexState

_loaded: dict[tuple[str, str, str], PrebuiltModel] = {}
_loaded_lock = threading.Lock()


@dataclass
class DeployedModel:
    id: str
    model: str
    version: str
    body: dict[str, Any]
    served: PrebuiltModel = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {**self.body, "id": self.id, "model": self.model, "modelVersionId": self.version}


@dataclass
class EndpointRecord:
    name: str
    body: dict[str, Any]
    deployed: list[DeployedModel] = field(default_factory=list)
    traffic: dict[str, int] = field(default_factory=dict)
    create_time: str = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        body = {**self.body, "name": self.name, "createTime": self.create_time, "updateTime": now()}
        body["deployedModels"] = [d.to_json() for d in self.deployed]
        if self.traffic:
            body["trafficSplit"] = dict(self.traffic)
        return body


def find_endpoint(state: VertexState, name: str) -> EndpointRecord:
    with state.lock:
        record = state.endpoints.get(name)
    if record is None:
        raise GoogleError("NOT_FOUND", f"Endpoint {name} not found.")
    return record


def deploy(state: VertexState, endpoint: EndpointRecord, body: dict[str, Any]) -> DeployedModel:
    """Load the model and add it with the new traffic split (``"0"`` is the model being deployed)."""
    wanted = body.get("deployedModel")
    if not isinstance(wanted, dict) or not wanted.get("model"):
        raise GoogleError("INVALID_ARGUMENT", "deployed_model.model is required.")
    record, version = find_model(state, str(wanted["model"]))
    spec = record.versions[version]
    automl = served_automl_model(record.name, version)
    image = str((spec.get("containerSpec") or {}).get("imageUri", ""))
    if automl is None and not PREBUILT_PREDICTION.search(image):
        raise GoogleError(
            "FAILED_PRECONDITION",
            f"The local emulator serves models on Vertex's prebuilt prediction images (e.g. "
            f"us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest); it cannot run {image}.",
        )
    deployed_id = new_id()
    traffic = _new_split(endpoint, body.get("trafficSplit") or {}, deployed_id)
    served = automl or _load(record.name, version, str(spec.get("artifactUri", "")), state.work_root)
    entry = {k: v for k, v in wanted.items() if k not in ("model", "id")}
    entry.setdefault("displayName", spec.get("displayName", ""))
    entry["createTime"] = now()
    deployed = DeployedModel(deployed_id, record.name, version, entry, served)
    with state.lock:
        endpoint.deployed.append(deployed)
        endpoint.traffic = traffic
    return deployed


def undeploy(state: VertexState, endpoint: EndpointRecord, body: dict[str, Any]) -> None:
    target = str(body.get("deployedModelId", ""))
    if not any(d.id == target for d in endpoint.deployed):
        raise GoogleError("NOT_FOUND", f"Deployed model {target!r} not found on endpoint {endpoint.name}.")
    remaining = {k: v for k, v in endpoint.traffic.items() if k != target}
    given = percentages(body.get("trafficSplit") or {}, "traffic_split")
    split = given or remaining
    if given and set(given) - set(remaining):
        raise GoogleError("INVALID_ARGUMENT", "traffic_split names a deployed model that stays undeployed.")
    if len(endpoint.deployed) > 1 and sum(split.values()) != 100:
        raise GoogleError(
            "FAILED_PRECONDITION",
            f"Undeploying {target} leaves a traffic split of {split} that does not add up to 100: pass a new "
            "traffic_split for the models that stay.",
        )
    with state.lock:
        endpoint.deployed = [d for d in endpoint.deployed if d.id != target]
        endpoint.traffic = split if endpoint.deployed else {}


def predict(state: VertexState, endpoint: EndpointRecord, body: dict[str, Any]) -> dict[str, Any]:
    """``{"predictions", "deployedModelId", "model", "modelVersionId", "modelDisplayName"}``."""
    with state.lock:
        deployed = {d.id: d for d in endpoint.deployed}
        weights = {k: float(v) for k, v in endpoint.traffic.items() if k in deployed}
    if not deployed:
        raise GoogleError("FAILED_PRECONDITION", f"Endpoint {endpoint.name} has no deployed model.")
    chosen = deployed[choose_variant(weights, state.rng)] if sum(weights.values()) > 0 else None
    if chosen is None:
        raise GoogleError("FAILED_PRECONDITION", f"Endpoint {endpoint.name} sends no traffic to any model.")
    try:
        answer = chosen.served.predict(body)
    except PredictionError as err:
        raise GoogleError(
            "INVALID_ARGUMENT" if err.status < 500 else "FAILED_PRECONDITION", err.message
        ) from err
    return {
        **answer,
        "deployedModelId": chosen.id,
        "model": chosen.model,
        "modelVersionId": chosen.version,
        "modelDisplayName": chosen.body.get("displayName", ""),
    }


def _new_split(endpoint: EndpointRecord, given: dict[str, Any], deployed_id: str) -> dict[str, int]:
    split = {(deployed_id if k == "0" else k): v for k, v in percentages(given, "traffic_split").items()}
    if not split:
        split = {deployed_id: 100} if not endpoint.deployed else {**endpoint.traffic, deployed_id: 0}
    known = {d.id for d in endpoint.deployed} | {deployed_id}
    unknown = sorted(set(split) - known)
    if unknown:
        raise GoogleError("INVALID_ARGUMENT", f"traffic_split names unknown deployed models {unknown}.")
    if any(v < 0 for v in split.values()) or sum(split.values()) != 100:
        raise GoogleError(
            "INVALID_ARGUMENT", f"traffic_split {given} must be non-negative percentages adding up to 100."
        )
    return split


def _load(model: str, version: str, artifact_uri: str, work_root: Path) -> PrebuiltModel:
    if not artifact_uri:
        raise GoogleError("FAILED_PRECONDITION", f"Model {model}@{version} has no artifactUri to serve.")
    key = (model, version, artifact_uri)
    with _loaded_lock:
        if key in _loaded:
            return _loaded[key]
    with tempfile.TemporaryDirectory(dir=work_root) as folder:
        gcs_files.download_prefix(artifact_uri.rstrip("/") + "/", Path(folder))
        try:
            served = load_prebuilt_model(Path(folder))
        except PredictionError as err:
            raise GoogleError("FAILED_PRECONDITION", f"Model {model}@{version}: {err.message}") from err
    with _loaded_lock:
        _loaded[key] = served
    return served
