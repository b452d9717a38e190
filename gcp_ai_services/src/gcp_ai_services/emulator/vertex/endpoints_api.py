"""REST methods of ``endpoints``: create/delete (operations), get/list/patch, deploy/undeploy and predict."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex import endpoint_records as records
from gcp_ai_services.emulator.vertex.request_logging import check_logging_config, log_prediction
from gcp_ai_services.emulator.vertex.resources import (
    done_operation,
    new_id,
    page,
    percentages,
    required,
    v1_type,
)
from gcp_ai_services.emulator.vertex.state import VertexState

PARENT = "{parent=projects/*/locations/*}"
NAME = "{endpoint=projects/*/locations/*/endpoints/*}"
UPDATABLE = ("displayName", "description", "labels", "trafficSplit")


class EndpointsAPI:
    def __init__(self, state: VertexState) -> None:
        self.state = state

    def routes(self, version: str) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", f"/{version}/{PARENT}/endpoints", self.create)
        routes.add("GET", f"/{version}/{PARENT}/endpoints", self.list)
        routes.add("GET", f"/{version}/{NAME}", self.get)
        routes.add("PATCH", f"/{version}/{NAME}", self.update)
        routes.add("DELETE", f"/{version}/{NAME}", self.delete)
        routes.add("POST", f"/{version}/{NAME}:deployModel", self.deploy)
        routes.add("POST", f"/{version}/{NAME}:undeployModel", self.undeploy)
        routes.add("POST", f"/{version}/{NAME}:predict", self.predict)
        return routes

    def create(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        required(body, "displayName", "endpoint")
        check_logging_config(body)
        endpoint_id = request.args.get("endpointId") or new_id()
        record = records.EndpointRecord(name=f"{parent}/endpoints/{endpoint_id}", body=body)
        with self.state.lock:
            if record.name in self.state.endpoints:
                raise GoogleError("ALREADY_EXISTS", f"Endpoint {record.name} already exists.")
            self.state.endpoints[record.name] = record

        def work() -> dict[str, Any]:
            return {"@type": v1_type("Endpoint"), **record.to_json()}

        return done_operation(self.state.operations, record.name, "CreateEndpointOperationMetadata", work)

    def get(self, request: Any, endpoint: str) -> dict[str, Any]:
        return records.find_endpoint(self.state, endpoint).to_json()

    def list(self, request: Any, parent: str) -> dict[str, Any]:
        with self.state.lock:
            found = [r for r in self.state.endpoints.values() if r.name.startswith(parent + "/")]
        return page([r.to_json() for r in found], "endpoints", request.args)

    def update(self, request: Any, endpoint: str) -> dict[str, Any]:
        record = records.find_endpoint(self.state, endpoint)
        body = json_body(request)
        mask = [m for m in request.args.get("updateMask", "").split(",") if m]
        fields = [_camel(m) for m in mask] or [k for k in UPDATABLE if k in body]
        unknown = [f for f in fields if f not in UPDATABLE]
        if unknown:
            raise GoogleError(
                "INVALID_ARGUMENT", f"update_mask names fields that cannot be updated: {unknown}."
            )
        if "trafficSplit" in fields:
            split = percentages(body.get("trafficSplit") or {}, "endpoint.traffic_split")
            if set(split) - {d.id for d in record.deployed} or (split and sum(split.values()) != 100):
                raise GoogleError(
                    "INVALID_ARGUMENT", f"Invalid traffic_split {split}: ids of deployed models, sum 100."
                )
            record.traffic = split
        for member in (f for f in fields if f != "trafficSplit"):
            record.body[member] = body.get(member)
        return record.to_json()

    def delete(self, request: Any, endpoint: str) -> dict[str, Any]:
        record = records.find_endpoint(self.state, endpoint)
        if record.deployed:
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Endpoint {endpoint} has deployed models {[d.id for d in record.deployed]}: "
                "undeploy them first.",
            )
        with self.state.lock:
            self.state.endpoints.pop(endpoint, None)
        return done_operation(self.state.operations, endpoint, "DeleteOperationMetadata", lambda: None)

    def deploy(self, request: Any, endpoint: str) -> dict[str, Any]:
        record = records.find_endpoint(self.state, endpoint)
        deployed = records.deploy(self.state, record, json_body(request))
        response = {"@type": v1_type("DeployModelResponse"), "deployedModel": deployed.to_json()}
        return done_operation(
            self.state.operations, endpoint, "DeployModelOperationMetadata", lambda: response
        )

    def undeploy(self, request: Any, endpoint: str) -> dict[str, Any]:
        record = records.find_endpoint(self.state, endpoint)
        records.undeploy(self.state, record, json_body(request))
        response = {"@type": v1_type("UndeployModelResponse")}
        return done_operation(
            self.state.operations, endpoint, "UndeployModelOperationMetadata", lambda: response
        )

    def predict(self, request: Any, endpoint: str) -> dict[str, Any]:
        record, body = records.find_endpoint(self.state, endpoint), json_body(request)
        answer = records.predict(self.state, record, body)
        log_prediction(self.state, record, body, answer)
        return answer


def _camel(path: str) -> str:
    head, *rest = path.split("_")
    return head + "".join(part.title() for part in rest)
