"""REST methods of ``metadataStores`` and their contexts, executions and artifacts (Vertex ML Metadata)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex.metadata_store import KINDS, MetadataStore
from gcp_ai_services.emulator.vertex.resources import done_operation, page, v1_type
from gcp_ai_services.emulator.vertex.state import VertexState

PARENT = "{parent=projects/*/locations/*}"
STORE = "projects/*/locations/*/metadataStores/*"


class MetadataAPI:
    def __init__(self, state: VertexState) -> None:
        self.state = state

    def routes(self, version: str) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", f"/{version}/{PARENT}/metadataStores", self.create_store)
        routes.add("GET", f"/{version}/{PARENT}/metadataStores", self.list_stores)
        routes.add("GET", f"/{version}/{{name={STORE}}}", self.get_store)
        for kind in KINDS:
            name = f"{{name={STORE}/{kind}/*}}"
            routes.add("POST", f"/{version}/{{parent={STORE}}}/{kind}", self._bind(self.create, kind))
            routes.add("GET", f"/{version}/{{parent={STORE}}}/{kind}", self._bind(self.list, kind))
            routes.add("GET", f"/{version}/{name}", self._bind(self.get, kind))
            routes.add("PATCH", f"/{version}/{name}", self._bind(self.update, kind))
            routes.add("DELETE", f"/{version}/{name}", self._bind(self.delete, kind))
        context = f"{{context={STORE}/contexts/*}}"
        execution = f"{{execution={STORE}/executions/*}}"
        routes.add("POST", f"/{version}/{context}:addContextChildren", self.add_children)
        routes.add("POST", f"/{version}/{context}:addContextArtifactsAndExecutions", self.add_members)
        routes.add("GET", f"/{version}/{context}:queryContextLineageSubgraph", self.lineage)
        routes.add("POST", f"/{version}/{execution}:addExecutionEvents", self.add_events)
        routes.add("GET", f"/{version}/{execution}:queryExecutionInputsAndOutputs", self.inputs_and_outputs)
        return routes

    @staticmethod
    def _bind(method: Callable[..., Any], kind: str) -> Callable[..., Any]:
        return lambda request, **bound: method(kind, request, **bound)

    def create_store(self, request: Any, parent: str) -> dict[str, Any]:
        store_id = request.args.get("metadataStoreId") or "default"
        name = f"{parent}/metadataStores/{store_id}"
        with self.state.lock:
            if name in self.state.metadata:
                raise GoogleError("ALREADY_EXISTS", f"MetadataStore {name} already exists.")
            store = self.state.metadata[name] = MetadataStore(name)
        response = {"@type": v1_type("MetadataStore"), **store.to_json()}
        return done_operation(
            self.state.operations, name, "CreateMetadataStoreOperationMetadata", lambda: response
        )

    def get_store(self, request: Any, name: str) -> dict[str, Any]:
        return self._store(name).to_json()

    def list_stores(self, request: Any, parent: str) -> dict[str, Any]:
        with self.state.lock:
            found = [s.to_json() for n, s in self.state.metadata.items() if n.startswith(parent + "/")]
        return page(found, "metadataStores", request.args)

    def create(self, kind: str, request: Any, parent: str) -> dict[str, Any]:
        singular = KINDS[kind][0].lower() + KINDS[kind][1:]
        store = self._store(parent)
        with self.state.lock:
            return dict(store.create(kind, json_body(request), request.args.get(f"{singular}Id", "")))

    def get(self, kind: str, request: Any, name: str) -> dict[str, Any]:
        with self.state.lock:
            return dict(self._store(name).get(kind, name))

    def list(self, kind: str, request: Any, parent: str) -> dict[str, Any]:
        store = self._store(parent)
        with self.state.lock:
            found = [dict(r) for r in store.search(kind, request.args.get("filter", ""))]
        return page(found, kind, request.args)

    def update(self, kind: str, request: Any, name: str) -> dict[str, Any]:
        mask = [_camel(m) for m in request.args.get("updateMask", "").split(",") if m]
        store = self._store(name)
        with self.state.lock:
            return dict(store.update(kind, name, json_body(request), mask))

    def delete(self, kind: str, request: Any, name: str) -> dict[str, Any]:
        store = self._store(name)
        with self.state.lock:
            store.delete(kind, name)
        return done_operation(self.state.operations, name, "DeleteOperationMetadata", lambda: None)

    def add_children(self, request: Any, context: str) -> dict[str, Any]:
        store = self._store(context)
        with self.state.lock:
            store.add_children(context, [str(c) for c in json_body(request).get("childContexts", [])])
        return {}

    def add_members(self, request: Any, context: str) -> dict[str, Any]:
        body = json_body(request)
        store = self._store(context)
        with self.state.lock:
            store.add_members(
                context, [str(n) for n in body.get("artifacts", []) + body.get("executions", [])]
            )
        return {}

    def lineage(self, request: Any, context: str) -> dict[str, Any]:
        store = self._store(context)
        with self.state.lock:
            return store.lineage(context)

    def add_events(self, request: Any, execution: str) -> dict[str, Any]:
        store = self._store(execution)
        with self.state.lock:
            store.add_events(execution, list(json_body(request).get("events", [])))
        return {}

    def inputs_and_outputs(self, request: Any, execution: str) -> dict[str, Any]:
        store = self._store(execution)
        with self.state.lock:
            return store.inputs_and_outputs(execution)

    def _store(self, name: str) -> MetadataStore:
        store_name = "/".join(name.split("/")[:6])
        with self.state.lock:
            store = self.state.metadata.get(store_name)
        if store is None:
            raise GoogleError("NOT_FOUND", f"MetadataStore {store_name} not found.")
        return store


def _camel(path: str) -> str:
    head, *rest = path.split("_")
    return head + "".join(part.title() for part in rest)
