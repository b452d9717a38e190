"""Container groups: validation, the regional core quota, ports on loopback, and the group's containers."""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.emulation.http.ports import free_port, wait_for_port
from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.container_instances.container_run import ContainerRun, Event, now
from azure_ai_services.emulator.container_instances.images import NotRunnable, local_argv

PROVIDER = "Microsoft.ContainerInstance"
RESOURCE_TYPE = f"{PROVIDER}/containerGroups"
#: Standard cores per region and subscription in the local cloud (Azure's default is 100; 10 for some)
REGIONAL_CORES = 4.0
RESTART_POLICIES = ("Always", "OnFailure", "Never")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
#: how long provisioning waits for a group's public ports to accept connections
PORT_SECONDS = 60.0


def _bad(message: str) -> AzureError:
    return AzureError(400, "InvalidRequestContent", message)


@dataclass
class ContainerGroup:
    """One group: the request as stored, its provisioning state and its running containers."""

    subscription: str
    group: str
    name: str
    body: dict[str, Any]
    provisioning_state: str = "Pending"
    containers: list[ContainerRun] = field(default_factory=list)
    #: declared public port -> the loopback port it is served on
    ports: dict[int, int] = field(default_factory=dict)
    stopped: bool = False
    failure: str = ""
    events: list[Event] = field(default_factory=list)
    work_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cloudai-aci-")))
    created: str = field(default_factory=now)
    removed: bool = False
    #: held while processes start or are killed, so that a delete during provisioning leaves none behind
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.group}/providers/"
            f"{RESOURCE_TYPE}/{self.name}"
        )

    @property
    def location(self) -> str:
        return str(self.body["location"]).replace(" ", "").lower()

    @property
    def properties(self) -> dict[str, Any]:
        return dict(self.body["properties"])

    @property
    def cores(self) -> float:
        return sum(_requests(c)["cpu"] for c in self.properties["containers"])

    @property
    def holds_cores(self) -> bool:
        return not self.stopped and self.provisioning_state not in ("Failed", "Deleting")

    def state(self) -> str:
        """``instanceView.state``: Pending, Running, Succeeded, Failed or Stopped."""
        if self.stopped:
            return "Stopped"
        if self.failure or self.provisioning_state == "Failed":
            return "Failed"
        if not self.containers:
            return "Pending"
        if any(c.will_run_again() for c in self.containers):
            return "Running"
        codes = [c.current.exit_code for c in self.containers]
        return "Succeeded" if all(code == 0 for code in codes) else "Failed"

    def container(self, name: str) -> ContainerRun:
        for run in self.containers:
            if run.name == name:
                return run
        raise AzureError(
            404,
            "ContainerNotFound",
            f"The container '{name}' is not found in container group '{self.name}'. Containers: "
            f"{', '.join(c['name'] for c in self.properties['containers'])}.",
        )

    def start(self) -> None:
        """Start every container (the operation behind create, update and ``start``)."""
        with self.lock:
            if self.removed:
                raise AzureError(404, "ResourceNotFound", f"Container group '{self.name}' was deleted.")
            self._start_containers()
        self._wait_for_ports()

    def _start_containers(self) -> None:
        self.stop_containers("")
        self.stopped = False
        self.failure = ""
        properties = self.properties
        policy = str(properties.get("restartPolicy") or "Always")
        self.containers = []
        for spec in properties["containers"]:
            container = spec["properties"]
            run_dir = self.work_dir / spec["name"]
            run_dir.mkdir(parents=True, exist_ok=True)
            env = {str(e["name"]): str(e.get("secureValue", e.get("value")) or "") for e in _env(container)}
            declared = [int(p["port"]) for p in container.get("ports") or []]
            mapped = [self.ports[p] for p in declared if p in self.ports]
            if mapped:
                env["PORT"] = str(mapped[0])
            try:
                argv = local_argv(str(container["image"]), container.get("command"))
            except NotRunnable as exc:
                run = ContainerRun(spec["name"], [], env, run_dir, policy)
                run.current.detail = "ErrImagePull"
                run.event("Failed", str(exc), "Warning")
                self.containers.append(run)
                self.failure = str(exc)
                continue
            run = ContainerRun(spec["name"], argv, env, run_dir, policy)
            run.event("Pulled", f'Successfully pulled image "{container["image"]}" (local Python)')
            self.containers.append(run)
        if self.failure:
            raise AzureError(400, "InaccessibleImage", self.failure)
        for run in self.containers:
            run.start()

    def _wait_for_ports(self) -> None:
        deadline = time.monotonic() + PORT_SECONDS
        for port in self.ports.values():
            while time.monotonic() < deadline and not wait_for_port(port, timeout=0.2):
                if not any(run.alive() for run in self.containers):
                    return
        return

    def stop_containers(self, reason: str) -> None:
        with self.lock:
            for run in self.containers:
                run.stop(reason)

    def arm(self) -> dict[str, Any]:
        properties = self.properties
        containers = []
        runs = {run.name: run for run in self.containers}
        for spec in properties["containers"]:
            container = dict(spec["properties"])
            container["environmentVariables"] = [
                {k: v for k, v in e.items() if k != "secureValue"} for e in _env(container)
            ]
            container["resources"] = {**container["resources"], "requests": _requests(spec)}
            run = runs.get(spec["name"])
            if run is not None:
                container["instanceView"] = run.instance_view()
            containers.append({"name": spec["name"], "properties": container})
        body_properties: dict[str, Any] = {
            **properties,
            "containers": containers,
            "restartPolicy": properties.get("restartPolicy") or "Always",
            "sku": properties.get("sku") or "Standard",
            "provisioningState": self.provisioning_state,
            "instanceView": {"events": [e.arm() for e in self.events], "state": self.state()},
        }
        address = properties.get("ipAddress")
        if address:
            label = address.get("dnsNameLabel")
            body_properties["ipAddress"] = {
                **address,
                "ip": "127.0.0.1",
                "ports": [
                    {"protocol": p.get("protocol", "TCP"), "port": self.ports.get(int(p["port"]), p["port"])}
                    for p in address.get("ports") or []
                ],
                **({"fqdn": f"{label}.{self.location}.azurecontainer.io"} if label else {}),
            }
        return {
            "id": self.id,
            "name": self.name,
            "type": RESOURCE_TYPE,
            "location": self.location,
            "tags": self.body.get("tags") or {},
            **({"identity": self.body["identity"]} if self.body.get("identity") else {}),
            "properties": body_properties,
        }

    def remove(self) -> None:
        with self.lock:
            self.removed = True
            self.stop_containers("Killing container group")
            shutil.rmtree(self.work_dir, ignore_errors=True)


def _env(container: dict[str, Any]) -> list[dict[str, Any]]:
    return list(container.get("environmentVariables") or [])


def _check_shapes(name: str, container: dict[str, Any]) -> None:
    command = container.get("command")
    if command is not None and (
        not isinstance(command, list) or not command or not all(isinstance(a, str) for a in command)
    ):
        raise _bad(f"Container '{name}': 'command' must be a non-empty list of strings (exec form).")
    variables = container.get("environmentVariables")
    if variables is not None and (
        not isinstance(variables, list) or not all(isinstance(e, dict) for e in variables)
    ):
        raise _bad(
            f"Container '{name}': 'environmentVariables' must be a list of {{name, value|secureValue}}."
        )
    _check_ports(f"Container '{name}'", container.get("ports"))


def _check_ports(where: str, ports: Any) -> None:
    if ports is None:
        return
    if not isinstance(ports, list) or not all(
        isinstance(p, dict) and isinstance(p.get("port"), int) and 1 <= p["port"] <= 65535 for p in ports
    ):
        raise _bad(f'{where}: \'ports\' must be a list of {{"port": 1-65535, "protocol": "TCP"}}.')
    protocols = {str(p.get("protocol", "TCP")).upper() for p in ports}
    if not protocols <= {"TCP", "UDP"}:
        raise _bad(f"{where}: a port's protocol is TCP or UDP.")


def _requests(spec: dict[str, Any]) -> dict[str, float]:
    requests = (spec["properties"].get("resources") or {}).get("requests") or {}
    return {"cpu": float(requests["cpu"]), "memoryInGB": float(requests["memoryInGB"])}


def validate(name: str, body: dict[str, Any]) -> None:
    """400s for what ACI rejects before provisioning; the message names the field and the fix."""
    if not _NAME.match(name):
        raise AzureError(
            400,
            "InvalidResourceName",
            f"The container group name '{name}' is invalid: use 1-63 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit.",
        )
    if not body.get("location"):
        raise AzureError(400, "LocationRequired", "The location property is required for this definition.")
    properties = body.get("properties")
    if not isinstance(properties, dict) or not properties.get("containers"):
        raise _bad("The container group needs 'properties.containers' with at least one container.")
    if properties.get("osType") not in ("Linux", "Windows"):
        raise _bad("The container group needs 'properties.osType': 'Linux' or 'Windows'.")
    policy = properties.get("restartPolicy") or "Always"
    if policy not in RESTART_POLICIES:
        raise _bad(f"restartPolicy '{policy}' is not one of {', '.join(RESTART_POLICIES)}.")
    declared: set[int] = set()
    names: set[str] = set()
    for spec in properties["containers"]:
        container = spec.get("properties") if isinstance(spec, dict) else None
        if not isinstance(container, dict) or not spec.get("name") or not container.get("image"):
            raise _bad("Each container needs 'name' and 'properties.image'.")
        if spec["name"] in names:
            raise _bad(f"The container name '{spec['name']}' is used twice in the group.")
        names.add(spec["name"])
        try:
            requests = _requests(spec)
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad(
                f"Container '{spec['name']}' needs 'resources.requests' with numeric 'cpu' and 'memoryInGB'."
            ) from exc
        if requests["cpu"] <= 0 or requests["memoryInGB"] <= 0:
            raise _bad(f"Container '{spec['name']}' must request more than 0 cpu and memoryInGB.")
        _check_shapes(spec["name"], container)
        for env in _env(container):
            if not env.get("name") or ("value" in env) == ("secureValue" in env):
                raise _bad(
                    f"Container '{spec['name']}': each environment variable needs a name and "
                    "exactly one of 'value' or 'secureValue'."
                )
        declared |= {int(p["port"]) for p in container.get("ports") or []}
    address = properties.get("ipAddress")
    if address is not None and not isinstance(address, dict):
        raise _bad('\'ipAddress\' must be an object: {"type": "Public", "ports": [...]}.')
    if address:
        _check_ports("ipAddress", address.get("ports"))
        public = {int(p["port"]) for p in address.get("ports") or []}
        missing = sorted(public - declared)
        if not public or missing:
            raise _bad(
                f"ipAddress.ports {missing or '[]'} must each be a port one of the containers exposes "
                f"(containers expose {sorted(declared)})."
            )


class ContainerGroups:
    """Every subscription's container groups, and the regional core quota they share."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str, str], ContainerGroup] = {}
        self._lock = threading.RLock()

    @staticmethod
    def _key(subscription: str, group: str, name: str) -> tuple[str, str, str]:
        return subscription.lower(), group.lower(), name.lower()

    def find(self, subscription: str, group: str, name: str) -> ContainerGroup | None:
        with self._lock:
            return self._groups.get(self._key(subscription, group, name))

    def get(self, subscription: str, group: str, name: str) -> ContainerGroup:
        found = self.find(subscription, group, name)
        if found is None:
            raise AzureError(
                404,
                "ResourceNotFound",
                f"The Resource '{RESOURCE_TYPE}/{name}' under resource group '{group}' was not found.",
            )
        return found

    def all(self) -> list[ContainerGroup]:
        with self._lock:
            return list(self._groups.values())

    def put(
        self, subscription: str, group: str, name: str, body: dict[str, Any]
    ) -> tuple[ContainerGroup, bool]:
        """Store the group (replacing a previous definition) after the quota check; True when created."""
        validate(name, body)
        with self._lock:
            old = self.find(subscription, group, name)
            candidate = ContainerGroup(subscription, group, name, body)
            self.check_quota(candidate, ignoring=old)
            if old is not None:
                old.remove()
            address = body["properties"].get("ipAddress") or {}
            candidate.ports = {int(p["port"]): free_port() for p in address.get("ports") or []}
            self._groups[self._key(subscription, group, name)] = candidate
        return candidate, old is None

    def check_quota(self, candidate: ContainerGroup, ignoring: ContainerGroup | None = None) -> None:
        with self._lock:
            used = sum(
                g.cores
                for g in self._groups.values()
                if g is not ignoring
                and g is not candidate
                and g.holds_cores
                and g.subscription.lower() == candidate.subscription.lower()
                and g.location == candidate.location
            )
        if used + candidate.cores > REGIONAL_CORES:
            raise AzureError(
                409,
                "ContainerGroupQuotaReached",
                f"Resource type '{RESOURCE_TYPE}' container group quota 'StandardCores' exceeded in region "
                f"'{candidate.location}'. Limit: '{REGIONAL_CORES:g}', Usage: '{used:g}' Requested: "
                f"'{candidate.cores:g}'. Stop or delete container groups, request fewer cores, or use "
                "another region.",
            )

    def delete(self, group: ContainerGroup) -> None:
        with self._lock:
            self._groups.pop(self._key(group.subscription, group.group, group.name), None)
        group.provisioning_state = "Deleting"
        group.remove()

    def close(self) -> None:
        for group in self.all():
            group.remove()

    def reset(self) -> None:
        for group in self.all():
            self.delete(group)
