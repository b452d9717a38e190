"""The Model Registry: models with numbered versions (``@1``, ``@2``) and aliases (``default`` included)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.vertex.resources import new_id, now
from gcp_ai_services.emulator.vertex.state import VertexState

PREBUILT_PREDICTION = re.compile(r"(vertex-ai/prediction/|cloud-aiplatform/prediction/)")
_ALIAS = re.compile(r"^[a-z][a-z0-9-]{0,126}[a-z0-9]$|^[a-z]$")
_MODEL_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")


@dataclass
class ModelRecord:
    """One registry model: its versions' bodies by version id, in creation order."""

    name: str
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def latest(self) -> str:
        return str(max(self.versions, key=int))

    @property
    def default(self) -> str:
        return next(v for v, body in self.versions.items() if "default" in body["versionAliases"])

    def version(self, ref: str) -> str:
        """The version id ``ref`` names (a number, an alias, or empty for the default)."""
        if not ref:
            return self.default
        if ref in self.versions:
            return ref
        for version, body in self.versions.items():
            if ref in body["versionAliases"]:
                return version
        raise GoogleError("NOT_FOUND", f"Model {self.name}@{ref} not found.")

    def to_json(self, version: str) -> dict[str, Any]:
        return {**self.versions[version], "name": self.name, "versionId": version}


def split_name(name: str) -> tuple[str, str]:
    """``projects/p/locations/l/models/ID@ref`` as (model name, ref)."""
    model, _, ref = name.partition("@")
    return model, ref


def find_model(state: VertexState, name: str) -> tuple[ModelRecord, str]:
    """The model and version id ``name`` refers to; NOT_FOUND naming it."""
    model_name, ref = split_name(name)
    with state.lock:
        record = state.models.get(model_name)
    if record is None:
        raise GoogleError("NOT_FOUND", f"Model {model_name} not found.")
    return record, record.version(ref)


def upload_model(state: VertexState, parent: str, body: dict[str, Any]) -> ModelRecord:
    """Register ``body["model"]`` as a new model, or as a new version of ``body["parentModel"]``."""
    model = body.get("model")
    if not isinstance(model, dict) or not model.get("displayName"):
        raise GoogleError("INVALID_ARGUMENT", "model.display_name is required.")
    image = str((model.get("containerSpec") or {}).get("imageUri", ""))
    if not image:
        raise GoogleError("INVALID_ARGUMENT", "model.container_spec.image_uri is required.")
    aliases = [str(a) for a in model.get("versionAliases", [])]
    bad = [a for a in aliases if a != "default" and not _ALIAS.match(a)]
    if bad:
        raise GoogleError(
            "INVALID_ARGUMENT", f"Invalid version alias {bad[0]!r}: use [a-z][a-zA-Z0-9-]{{0,126}}."
        )
    stamp = now()
    version_body = {
        **model,
        "versionAliases": aliases,
        "createTime": stamp,
        "updateTime": stamp,
        "versionCreateTime": stamp,
        "versionUpdateTime": stamp,
        "supportedDeploymentResourcesTypes": ["DEDICATED_RESOURCES"],
    }
    with state.lock:
        record = _target(state, parent, body)
        version = str(len(record.versions) and int(record.latest) + 1 or 1)
        default_wanted = not record.versions or "default" in aliases
        for other in record.versions.values():
            taken = set(aliases) | ({"default"} if default_wanted else set())
            other["versionAliases"] = [a for a in other["versionAliases"] if a not in taken]
        if default_wanted and "default" not in aliases:
            version_body["versionAliases"] = ["default", *aliases]
        record.versions[version] = version_body
        state.models[record.name] = record
    return record


def _target(state: VertexState, parent: str, body: dict[str, Any]) -> ModelRecord:
    parent_model = str(body.get("parentModel", "") or "")
    if parent_model:
        record = state.models.get(split_name(parent_model)[0])
        if record is None:
            raise GoogleError("NOT_FOUND", f"Parent model {parent_model} not found.")
        return record
    model_id = str(body.get("modelId", "") or "") or new_id()
    if not _MODEL_ID.match(model_id):
        raise GoogleError(
            "INVALID_ARGUMENT", f"Invalid model id {model_id!r}: use [a-z0-9][a-z0-9-]{{0,127}}."
        )
    name = f"{parent}/models/{model_id}"
    if name in state.models:
        raise GoogleError("ALREADY_EXISTS", f"Model {name} already exists.")
    return ModelRecord(name=name)


def merge_aliases(state: VertexState, name: str, aliases: list[str]) -> dict[str, Any]:
    """Add ``alias`` (taken from any other version) or remove ``-alias`` on one version, as Vertex merges."""
    record, version = find_model(state, name)
    with state.lock:
        for alias in aliases:
            bare = alias.removeprefix("-")
            if bare == "default" or not _ALIAS.match(bare):
                raise GoogleError("INVALID_ARGUMENT", f"Invalid version alias {alias!r}.")
            for other in record.versions.values():
                if bare in other["versionAliases"] and (
                    alias.startswith("-") or other is not record.versions[version]
                ):
                    other["versionAliases"].remove(bare)
            if not alias.startswith("-") and bare not in record.versions[version]["versionAliases"]:
                record.versions[version]["versionAliases"].append(bare)
        return record.to_json(version)


def delete_model(state: VertexState, name: str) -> None:
    """Delete a model (or one version ``@N``); FAILED_PRECONDITION while it is deployed."""
    record, version = find_model(state, name)
    whole = "@" not in name
    with state.lock:
        users = [
            endpoint.name
            for endpoint in state.endpoints.values()
            for deployed in endpoint.deployed
            if deployed.model == record.name and (whole or deployed.version == version)
        ]
        if users:
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Model {name} is deployed or being deployed at the following Endpoint(s): "
                f"{', '.join(users)}.",
            )
        if whole or len(record.versions) == 1:
            state.models.pop(record.name, None)
        elif "default" in record.versions[version]["versionAliases"]:
            raise GoogleError(
                "FAILED_PRECONDITION", f"Model version {name} is the default version: move the alias first."
            )
        else:
            del record.versions[version]
