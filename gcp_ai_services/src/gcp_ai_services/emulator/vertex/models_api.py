"""REST methods of ``models``: upload (an operation), get by version or alias, list, listVersions, delete."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex.model_registry import (
    delete_model,
    find_model,
    merge_aliases,
    upload_model,
)
from gcp_ai_services.emulator.vertex.resources import done_operation, page, v1_type
from gcp_ai_services.emulator.vertex.state import VertexState

PARENT = "{parent=projects/*/locations/*}"
NAME = "{name=projects/*/locations/*/models/*}"


class ModelsAPI:
    def __init__(self, state: VertexState) -> None:
        self.state = state

    def routes(self, version: str) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", f"/{version}/{PARENT}/models:upload", self.upload)
        routes.add("GET", f"/{version}/{PARENT}/models", self.list)
        routes.add("GET", f"/{version}/{NAME}:listVersions", self.list_versions)
        routes.add("GET", f"/{version}/{NAME}", self.get)
        routes.add("POST", f"/{version}/{NAME}:mergeVersionAliases", self.merge_aliases)
        routes.add("DELETE", f"/{version}/{NAME}:deleteVersion", self.delete)
        routes.add("DELETE", f"/{version}/{NAME}", self.delete)
        return routes

    def upload(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        record = upload_model(self.state, parent, body)
        version = record.latest
        response = {"@type": v1_type("UploadModelResponse"), "model": record.name, "modelVersionId": version}
        return done_operation(
            self.state.operations, record.name, "UploadModelOperationMetadata", lambda: response
        )

    def get(self, request: Any, name: str) -> dict[str, Any]:
        record, version = find_model(self.state, name)
        return record.to_json(version)

    def merge_aliases(self, request: Any, name: str) -> dict[str, Any]:
        aliases = json_body(request).get("versionAliases")
        if not isinstance(aliases, list) or not aliases:
            raise GoogleError("INVALID_ARGUMENT", "version_aliases is required.")
        return merge_aliases(self.state, name, [str(a) for a in aliases])

    def list(self, request: Any, parent: str) -> dict[str, Any]:
        with self.state.lock:
            found = [r for r in self.state.models.values() if r.name.startswith(parent + "/")]
        return page([r.to_json(r.default) for r in found], "models", request.args)

    def list_versions(self, request: Any, name: str) -> dict[str, Any]:
        record, _ = find_model(self.state, name)
        return page([record.to_json(v) for v in record.versions], "models", request.args)

    def delete(self, request: Any, name: str) -> dict[str, Any]:
        delete_model(self.state, name)
        return done_operation(
            self.state.operations, name.partition("@")[0], "DeleteOperationMetadata", lambda: None
        )
