"""REST methods of ``datasets``: create, import, delete (operations), get, list, patch and ``dataItems``."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex import dataset_records as records
from gcp_ai_services.emulator.vertex.resources import done_operation, new_id, now, page, required, v1_type
from gcp_ai_services.emulator.vertex.state import VertexState

PARENT = "{parent=projects/*/locations/*}"
NAME = "{name=projects/*/locations/*/datasets/*}"
UPDATABLE = ("displayName", "description", "labels")


class DatasetsAPI:
    def __init__(self, state: VertexState) -> None:
        self.state = state

    def routes(self, version: str) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", f"/{version}/{PARENT}/datasets", self.create)
        routes.add("GET", f"/{version}/{PARENT}/datasets", self.list)
        routes.add("GET", f"/{version}/{NAME}", self.get)
        routes.add("PATCH", f"/{version}/{NAME}", self.update)
        routes.add("DELETE", f"/{version}/{NAME}", self.delete)
        routes.add("POST", f"/{version}/{NAME}:import", self.import_data)
        routes.add(
            "GET", f"/{version}/{{parent=projects/*/locations/*/datasets/*}}/dataItems", self.data_items
        )
        return routes

    def create(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        required(body, "displayName", "dataset")
        kind = records.kind_of(str(required(body, "metadataSchemaUri", "dataset")))
        if kind != "tabular" and not body.get("metadata"):
            body["metadata"] = {"dataItemSchemaUri": records.DATA_ITEM_SCHEMAS[kind]}
        record = records.DatasetRecord(name=f"{parent}/datasets/{new_id()}", body=body, kind=kind)

        def work() -> dict[str, Any]:
            if kind == "tabular":
                records.tabular_sources(body.get("metadata") or {})
            with self.state.lock:
                self.state.datasets[record.name] = record
            return {"@type": v1_type("Dataset"), **record.to_json()}

        return done_operation(self.state.operations, record.name, "CreateDatasetOperationMetadata", work)

    def get(self, request: Any, name: str) -> dict[str, Any]:
        return self.find(name).to_json()

    def list(self, request: Any, parent: str) -> dict[str, Any]:
        with self.state.lock:
            found = [r for r in self.state.datasets.values() if r.name.startswith(parent + "/")]
        return page([r.to_json() for r in found], "datasets", request.args)

    def update(self, request: Any, name: str) -> dict[str, Any]:
        record = self.find(name)
        body = json_body(request)
        mask = [m.strip() for m in request.args.get("updateMask", "").split(",") if m.strip()]
        if not mask:
            raise GoogleError("INVALID_ARGUMENT", "update_mask is required.")
        fields = [_camel(m) for m in mask]
        refused = [f for f in fields if f not in UPDATABLE]
        if refused:
            raise GoogleError(
                "INVALID_ARGUMENT", f"update_mask names fields that cannot be updated: {refused}."
            )
        for member in fields:
            record.body[member] = body.get(member)
        record.update_time = now()
        return record.to_json()

    def delete(self, request: Any, name: str) -> dict[str, Any]:
        self.find(name)

        def work() -> None:
            with self.state.lock:
                self.state.datasets.pop(name, None)

        return done_operation(self.state.operations, name, "DeleteOperationMetadata", work)

    def import_data(self, request: Any, name: str) -> dict[str, Any]:
        record = self.find(name)
        configs = json_body(request).get("importConfigs")
        if not isinstance(configs, list) or not configs:
            raise GoogleError("INVALID_ARGUMENT", "import_configs is required.")
        if record.kind == "tabular":
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"{name} is a tabular dataset: its data is the source it was created with; import is for "
                "image, text and video datasets.",
            )

        def work() -> dict[str, Any]:
            items = [item for config in configs for item in records.import_items(record, dict(config))]
            with self.state.lock:
                record.items += items
                record.update_time = now()
            return {"@type": v1_type("ImportDataResponse")}

        return done_operation(self.state.operations, name, "ImportDataOperationMetadata", work)

    def data_items(self, request: Any, parent: str) -> dict[str, Any]:
        record = self.find(parent)
        return page([item.to_json() for item in record.items], "dataItems", request.args)

    def find(self, name: str) -> records.DatasetRecord:
        with self.state.lock:
            record = self.state.datasets.get(name)
        if record is None:
            raise GoogleError("NOT_FOUND", f"Dataset {name} not found.")
        return record


def _camel(path: str) -> str:
    head, *rest = path.split("_")
    return head + "".join(part.title() for part in rest)
