"""REST methods of ``tensorboards`` and their ``experiments``/``runs``: the records Experiments link to.

``aiplatform.init(experiment=...)`` finds or creates the default Tensorboard and links the experiment to it,
and ``start_run`` creates a Tensorboard experiment run; these are kept and answered. Time series data
(``log_time_series_metrics`` writes, reads) and the TensorBoard web app are not emulated (UNIMPLEMENTED).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex.resources import done_operation, new_id, now, page, v1_type
from gcp_ai_services.emulator.vertex.state import VertexState

BOARD = "projects/*/locations/*/tensorboards/*"
LEVELS = {
    "tensorboards": ("projects/*/locations/*", "Tensorboard", ""),
    "experiments": (BOARD, "TensorboardExperiment", "tensorboardExperimentId"),
    "runs": (f"{BOARD}/experiments/*", "TensorboardRun", "tensorboardRunId"),
    "timeSeries": (f"{BOARD}/experiments/*/runs/*", "TensorboardTimeSeries", "tensorboardTimeSeriesId"),
}
LIST_KEYS = {
    "tensorboards": "tensorboards",
    "experiments": "tensorboardExperiments",
    "runs": "tensorboardRuns",
    "timeSeries": "tensorboardTimeSeries",
}


class TensorboardsAPI:
    def __init__(self, state: VertexState) -> None:
        self.state = state

    def routes(self, version: str) -> GoogleRoutes:
        routes = GoogleRoutes()
        for collection, (parent, _, _) in LEVELS.items():
            name = f"{{name={parent}/{collection}/*}}"
            routes.add(
                "POST", f"/{version}/{{parent={parent}}}/{collection}", self._bind(self.create, collection)
            )
            routes.add(
                "GET", f"/{version}/{{parent={parent}}}/{collection}", self._bind(self.list, collection)
            )
            routes.add("GET", f"/{version}/{name}", self._bind(self.get, collection))
            routes.add("PATCH", f"/{version}/{name}", self._bind(self.update, collection))
            routes.add("DELETE", f"/{version}/{name}", self._bind(self.delete, collection))
        return routes

    @staticmethod
    def _bind(method: Callable[..., Any], collection: str) -> Callable[..., Any]:
        return lambda request, **bound: method(collection, request, **bound)

    def create(self, collection: str, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        _, kind, id_param = LEVELS[collection]
        if collection == "tensorboards" and not body.get("displayName"):
            raise GoogleError("INVALID_ARGUMENT", "tensorboard.display_name is required.")
        if collection != "tensorboards":
            self._find(parent)
        resource_id = (request.args.get(id_param) if id_param else "") or new_id()
        name = f"{parent}/{collection}/{resource_id}"
        stamp = now()
        record = {
            **body,
            "name": name,
            "createTime": stamp,
            "updateTime": stamp,
            "etag": uuid.uuid4().hex[:12],
        }
        with self.state.lock:
            if name in self.state.tensorboards:
                raise GoogleError("ALREADY_EXISTS", f"{kind} {name} already exists.")
            if collection == "tensorboards" and body.get("isDefault"):
                for other in self.state.tensorboards.values():
                    other.pop("isDefault", None)
            self.state.tensorboards[name] = record
        if collection != "tensorboards":
            return dict(record)
        response = {"@type": v1_type(kind), **record}
        return done_operation(
            self.state.operations, name, "CreateTensorboardOperationMetadata", lambda: response
        )

    def get(self, collection: str, request: Any, name: str) -> dict[str, Any]:
        return dict(self._find(name))

    def list(self, collection: str, request: Any, parent: str) -> dict[str, Any]:
        wanted = request.args.get("filter", "").replace(" ", "").lower()
        with self.state.lock:
            prefix = f"{parent}/{collection}/"
            found = [
                dict(r)
                for n, r in self.state.tensorboards.items()
                if n.startswith(prefix) and "/" not in n[len(prefix) :]
            ]
        if wanted == "is_default=true":
            found = [r for r in found if r.get("isDefault")]
        elif wanted:
            raise GoogleError(
                "UNIMPLEMENTED",
                f"The local emulator filters tensorboards by is_default=true only, not {wanted!r}.",
            )
        return page(found, LIST_KEYS[collection], request.args)

    def update(self, collection: str, request: Any, name: str) -> dict[str, Any]:
        body = json_body(request)
        record = self._find(name)
        mask = [m for m in request.args.get("updateMask", "").split(",") if m]
        with self.state.lock:
            for member in mask or [k for k in body if k not in ("name", "createTime", "etag")]:
                record[member] = body.get(member)
            record["updateTime"] = now()
        if collection != "tensorboards":
            return dict(record)
        response = {"@type": v1_type("Tensorboard"), **record}
        return done_operation(
            self.state.operations, name, "UpdateTensorboardOperationMetadata", lambda: response
        )

    def delete(self, collection: str, request: Any, name: str) -> dict[str, Any]:
        self._find(name)
        with self.state.lock:
            for key in [k for k in self.state.tensorboards if k == name or k.startswith(name + "/")]:
                del self.state.tensorboards[key]
        return done_operation(self.state.operations, name, "DeleteOperationMetadata", lambda: None)

    def _find(self, name: str) -> dict[str, Any]:
        with self.state.lock:
            record = self.state.tensorboards.get(name)
        if record is None:
            kind = LEVELS[name.rsplit("/", 2)[-2]][1] if name.count("/") >= 5 else "Tensorboard"
            raise GoogleError("NOT_FOUND", f"{kind} {name} not found.")
        return record
