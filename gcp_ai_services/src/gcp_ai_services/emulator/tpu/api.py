"""Cloud TPU v2's REST methods as ``google.cloud.tpu_v2.TpuClient(transport="rest")`` sends them.

Nodes: ``POST {parent}/nodes?nodeId=`` (an operation: ``CREATING`` → ``READY``), get, list, ``DELETE`` (an
operation), ``:stop`` (``STOPPING`` → ``STOPPED``) and ``:start`` (``STARTING`` → ``READY``).
Accelerator types and runtime versions per zone come from the dated catalog; a node's TensorCores are
charged to its family's quota. The node computes nothing: its ``networkEndpoints`` are loopback
placeholders (no SSH, no TPU runtime).
Queued resources, ``getGuestAttributes``, ``updateNode`` and the locations methods are unrouted: 501.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import Operation, OperationsService, type_url
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.tpu.catalog import AcceleratorType
from gcp_ai_services.emulator.tpu.state import TpuState
from gcp_ai_services.emulator.wire import invalid

NODE_TYPE = "google.cloud.tpu.v2.Node"
METADATA_TYPE = "google.cloud.tpu.v2.OperationMetadata"
PARENT = "/v2/{parent=projects/*/locations/*}"
NODE = "/v2/{name=projects/*/locations/*/nodes/*}"
#: google.cloud.tpu.v2.AcceleratorConfig.Type numbers (the REST clients send enums as numbers)
CONFIG_TYPES = {2: "V2", 4: "V3", 7: "V4", 9: "V5LITE_POD", 10: "V5P", 11: "V6E"}
_NODE_ID = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
_ZONE = re.compile(r"^[a-z]+-[a-z]+\d+-[a-z]$")


class TpuAPI:
    def __init__(self, state: TpuState) -> None:
        self.state = state

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("GET", PARENT + "/acceleratorTypes", self.list_types)
        routes.add("GET", "/v2/{name=projects/*/locations/*/acceleratorTypes/*}", self.get_type)
        routes.add("GET", PARENT + "/runtimeVersions", self.list_runtimes)
        routes.add("GET", "/v2/{name=projects/*/locations/*/runtimeVersions/*}", self.get_runtime)
        routes.add("POST", PARENT + "/nodes", self.create)
        routes.add("GET", PARENT + "/nodes", self.list_nodes)
        routes.add("GET", NODE, lambda request, name: self.state.get(name))
        routes.add("DELETE", NODE, self.delete)
        routes.add("POST", NODE + ":stop", lambda request, name: self._switch(name, "stop"))
        routes.add("POST", NODE + ":start", lambda request, name: self._switch(name, "start"))
        return routes

    # ------------------------------------------------------------------ catalog
    def list_types(self, request: Any, parent: str) -> dict[str, Any]:
        _refuse_filter(request)
        found = [self._type_json(parent, kind) for kind in self.state.catalog.zone_types(self._zone(parent))]
        return _page(request, "acceleratorTypes", found)

    def get_type(self, request: Any, name: str) -> dict[str, Any]:
        parent, type_name = name.rsplit("/acceleratorTypes/", 1)
        for kind in self.state.catalog.zone_types(self._zone(parent)):
            if kind.name == type_name:
                return self._type_json(parent, kind)
        raise GoogleError("NOT_FOUND", f"Resource '{name}' was not found: {self._offer(parent)}")

    def list_runtimes(self, request: Any, parent: str) -> dict[str, Any]:
        _refuse_filter(request)
        self._zone(parent)
        found = [
            {"name": f"{parent}/runtimeVersions/{version}", "version": version}
            for version in self.state.catalog.runtime_versions
        ]
        return _page(request, "runtimeVersions", found)

    def get_runtime(self, request: Any, name: str) -> dict[str, Any]:
        parent, version = name.rsplit("/runtimeVersions/", 1)
        self._zone(parent)
        if version not in self.state.catalog.runtime_versions:
            raise GoogleError(
                "NOT_FOUND",
                f"Resource '{name}' was not found: runtime versions are "
                f"{', '.join(self.state.catalog.runtime_versions)}.",
            )
        return {"name": name, "version": version}

    # ------------------------------------------------------------------ nodes
    def create(self, request: Any, parent: str) -> dict[str, Any]:
        zone = self._zone(parent)
        node_id = request.args.get("nodeId", "")
        if not _NODE_ID.match(node_id):
            raise invalid(
                f"Invalid node_id {node_id!r}: use 1-63 lowercase letters, digits and hyphens, "
                "starting with a letter and not ending with a hyphen."
            )
        body = json_body(request)
        kind = self._accelerator(body, parent, zone)
        runtime = str(body.get("runtimeVersion", ""))
        if runtime not in self.state.catalog.runtime_versions:
            raise invalid(
                f"Invalid runtime_version {runtime or '(none)'!r}: runtime versions in {zone} are "
                f"{', '.join(self.state.catalog.runtime_versions)}."
            )
        name = f"{parent}/nodes/{node_id}"
        node = {
            **{
                k: v
                for k, v in body.items()
                if k not in ("name", "state", "acceleratorType", "acceleratorConfig")
            },
            "name": name,
            "acceleratorType": kind.name,
            "acceleratorConfig": {"type": kind.config_type, "topology": kind.topology},
            "runtimeVersion": runtime,
            "state": "CREATING",
            "createTime": _now(),
            "id": str(uuid.uuid4().int % 10**18),
            "apiVersion": "V2",
        }
        scheduling = node.get("schedulingConfig") or {}
        with self.state.lock:
            if name in self.state.nodes:
                raise GoogleError("ALREADY_EXISTS", f"Resource '{name}' already exists")
            self.state.charge(
                name, kind, preemptible=bool(scheduling.get("preemptible") or scheduling.get("spot"))
            )
            self.state.nodes[name] = node

        def work(operation: Operation) -> dict[str, Any]:
            return self._settle(name, "CREATING", "READY", operation)

        return dict(self._operation(parent, name, "create", work).to_json())

    def list_nodes(self, request: Any, parent: str) -> dict[str, Any]:
        self._zone(parent)
        with self.state.lock:
            found = [n for key, n in sorted(self.state.nodes.items()) if key.startswith(parent + "/nodes/")]
        return _page(request, "nodes", found)

    def delete(self, request: Any, name: str) -> dict[str, Any]:
        with self.state.lock:
            node = self.state.get(name)
            if node["state"] == "DELETING":
                raise GoogleError("FAILED_PRECONDITION", f"Node '{name}' is already being deleted.")
            node["state"] = "DELETING"

        def work(operation: Operation) -> None:
            time.sleep(self.state.transition_seconds)
            with self.state.lock:
                self.state.nodes.pop(name, None)

        return dict(self._operation(name.rsplit("/nodes/", 1)[0], name, "delete", work).to_json())

    def _switch(self, name: str, verb: str) -> dict[str, Any]:
        """``:stop`` (READY → STOPPING → STOPPED) or ``:start`` (STOPPED → STARTING → READY)."""
        before, during, after = (
            ("READY", "STOPPING", "STOPPED") if verb == "stop" else ("STOPPED", "STARTING", "READY")
        )
        with self.state.lock:
            node = self.state.get(name)
            if node["state"] != before:
                done = "stopped" if verb == "stop" else "started"
                raise GoogleError(
                    "FAILED_PRECONDITION",
                    f"Node '{name}' is {node['state']}: only a {before} node can be {done}.",
                )
            node["state"] = during

        def work(operation: Operation) -> dict[str, Any]:
            return self._settle(name, during, after, operation)

        return dict(self._operation(name.rsplit("/nodes/", 1)[0], name, verb, work).to_json())

    # ------------------------------------------------------------------ internals
    def _settle(self, name: str, during: str, after: str, operation: Operation) -> dict[str, Any]:
        time.sleep(self.state.transition_seconds)
        with self.state.lock:
            node = self.state.nodes.get(name)
            if node is None or node["state"] != during:  # deleted (or deleting) meanwhile
                raise GoogleError("ABORTED", f"Node '{name}' changed state while it was {during}.")
            node["state"] = after
            if after == "READY":
                node["health"] = "HEALTHY"
                # placeholders: the local cloud runs no TPU host (no SSH, no TPU runtime behind them)
                node["networkEndpoints"] = [{"ipAddress": "127.0.0.1", "port": 8470}]
            else:
                node.pop("health", None)
            operation.metadata["endTime"] = _now()
            return {"@type": type_url(NODE_TYPE), **node}

    def _operation(self, parent: str, target: str, verb: str, work: Any) -> Operation:
        metadata = {
            "@type": type_url(METADATA_TYPE),
            "createTime": _now(),
            "target": target,
            "verb": verb,
            "apiVersion": "v2",
        }
        operation_id = f"operation-{int(time.time() * 1000)}-{uuid.uuid4().hex[:12]}"
        return self.state.operations.start(parent, metadata, work, operation_id=operation_id)

    def _zone(self, parent: str) -> str:
        """The zone of ``projects/p/locations/zone``; NOT_FOUND naming it if the catalog lacks it."""
        zone = parent.rsplit("/", 1)[-1]
        if zone not in self.state.catalog.zones:
            raise GoogleError(
                "NOT_FOUND",
                f"Location '{parent}' was not found: Cloud TPU zones "
                f"(catalog of {self.state.catalog.as_of}) are {', '.join(self.state.catalog.zones)}.",
            )
        return zone

    def _offer(self, parent: str) -> str:
        names = [kind.name for kind in self.state.catalog.zone_types(self._zone(parent))]
        return f"{parent.rsplit('/', 1)[-1]} offers {', '.join(names)}."

    def _accelerator(self, body: dict[str, Any], parent: str, zone: str) -> AcceleratorType:
        """The accelerator type (``acceleratorType`` or ``acceleratorConfig``), offered in ``zone``."""
        catalog = self.state.catalog
        config = body.get("acceleratorConfig") or {}
        type_name = str(body.get("acceleratorType", ""))
        if not type_name and config:
            config_type = config.get("type", "")
            config_type = (
                CONFIG_TYPES.get(config_type, str(config_type))
                if isinstance(config_type, int)
                else config_type
            )
            found = catalog.by_config(str(config_type), str(config.get("topology", "")))
            if found is None:
                raise invalid(
                    f"Invalid accelerator_config {config_type} {config.get('topology', '')!r}: no such "
                    f"type in the catalog; {self._offer(parent)}"
                )
            type_name = found.name
        if not type_name:
            raise invalid(
                "node.accelerator_type (e.g. 'v5litepod-8') or node.accelerator_config is required."
            )
        kind = catalog.types.get(type_name)
        if kind is None or kind.family not in catalog.zones[zone]:
            raise invalid(
                f"Accelerator type '{type_name}' is not available in zone {zone}: {self._offer(parent)}"
            )
        return kind

    def _type_json(self, parent: str, kind: AcceleratorType) -> dict[str, Any]:
        return {
            "name": f"{parent}/acceleratorTypes/{kind.name}",
            "type": kind.name,
            "acceleratorConfigs": [{"type": kind.config_type, "topology": kind.topology}],
        }


class ZonalOperations:
    """Cloud TPU's operations: ``/v2/projects/*/locations/{zone}/operations...`` where the location is a zone.

    Cloud Functions' (and other regional APIs') ``/v2`` operations live under regions, so the two never meet.
    """

    def __init__(self, state: TpuState) -> None:
        self._service = OperationsService(state.operations)

    def claims(self, incoming: Any) -> bool:
        parts = incoming.path.split("/")
        # /v2/projects/{p}/locations/{zone}/operations[/...]
        return (
            len(parts) >= 7
            and parts[1] == "v2"
            and parts[4] == "locations"
            and parts[6].startswith("operations")
            and bool(_ZONE.match(parts[5]))
            and self._service.claims(incoming)
        )

    def handle(self, incoming: Any) -> Any:
        return self._service.handle(incoming)


def _page(request: Any, member: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of ``items`` (``pageSize``; ``pageToken`` is the next offset), as Google pages."""
    try:
        size = int(request.args.get("pageSize", "0") or 0)
        start = int(request.args.get("pageToken", "0") or 0)
    except ValueError as exc:
        raise invalid("Invalid page_size or page_token: use a page_token from the previous answer.") from exc
    end = start + size if size > 0 else len(items)
    body: dict[str, Any] = {member: items[start:end]} if items[start:end] else {}
    if end < len(items):
        body["nextPageToken"] = str(end)
    return body


def _refuse_filter(request: Any) -> None:
    for argument in ("filter", "orderBy"):
        if request.args.get(argument):
            raise GoogleError(
                "UNIMPLEMENTED",
                f"the local emulator does not compute '{argument}' on Cloud TPU lists: "
                "list all and filter in Python.",
            )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def tpu_services(state: TpuState) -> list[Any]:
    """The Cloud TPU routes and its zonal operations (before any service claiming every ``/v2`` one)."""
    return [TpuAPI(state).routes(), ZonalOperations(state)]
