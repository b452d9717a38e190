"""Azure Container Instances through ``azure-mgmt-containerinstance``: a model server as a container group.

The Resource Manager URL comes from the environment (``CLOUDAI_AZURE_ENDPOINT`` for the local cloud),
otherwise Azure's public cloud; the credential is ``DefaultAzureCredential``. A group is billed per
vCPU-second and GB-second while it runs (:func:`group_cost`).
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azure_ai_services.infrastructure.price_catalog import AzurePriceCatalog
from azure_ai_services.serverless.arm import resource_manager

if TYPE_CHECKING:  # pragma: no cover
    from azure.mgmt.containerinstance import ContainerInstanceManagementClient
    from azure.mgmt.containerinstance.models import ContainerGroup

#: a Python image: what the local cloud runs as a process (see the package README's fidelity table)
PYTHON_IMAGE = "python:3.11-slim"
#: a tiny scoring server: a linear model from MODEL_JSON, POST / with {"instances": [[...], ...]}
SCORING_APP = """\
import http.server, json, os
model = json.loads(os.environ["MODEL_JSON"])
class Scorer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self._answer(200, {"status": "healthy", "model": model["name"]})
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        rows = body.get("instances")
        if not isinstance(rows, list) or any(len(r) != len(model["weights"]) for r in rows):
            return self._answer(400, {"error": f"instances must be rows of {len(model['weights'])} numbers"})
        scores = [sum(w * x for w, x in zip(model["weights"], r)) + model["bias"] for r in rows]
        print(f"scored {len(rows)} rows", flush=True)
        self._answer(200, {"predictions": scores})
    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
port = int(os.environ.get("PORT", "80"))
print(f"serving {model['name']} on port {port}", flush=True)
http.server.ThreadingHTTPServer(("", port), Scorer).serve_forever()
"""


def aci_client(subscription_id: str, credential: Any = None) -> ContainerInstanceManagementClient:
    """``ContainerInstanceManagementClient`` on the environment's Resource Manager."""
    from azure.identity import DefaultAzureCredential
    from azure.mgmt.containerinstance import ContainerInstanceManagementClient

    return ContainerInstanceManagementClient(
        credential or DefaultAzureCredential(), subscription_id, base_url=resource_manager()
    )


def python_group(
    command: list[str],
    *,
    location: str = "eastus",
    cpu: float = 1.0,
    memory_gb: float = 1.5,
    restart_policy: str = "Always",
    port: int | None = None,
    env: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
    dns_label: str | None = None,
    image: str = PYTHON_IMAGE,
) -> ContainerGroup:
    """One-container group running ``command``; with ``port``, a public IP exposing it."""
    from azure.mgmt.containerinstance import models

    variables = [models.EnvironmentVariable(name=k, value=v) for k, v in (env or {}).items()]
    variables += [models.EnvironmentVariable(name=k, secure_value=v) for k, v in (secrets or {}).items()]
    container = models.Container(
        name="app",
        image=image,
        command=command,
        resources=models.ResourceRequirements(
            requests=models.ResourceRequests(cpu=cpu, memory_in_gb=memory_gb)
        ),
        environment_variables=variables,
        ports=[models.ContainerPort(port=port)] if port else None,
    )
    address = None
    if port:
        address = models.IpAddress(type="Public", ports=[models.Port(port=port)], dns_name_label=dns_label)
    return models.ContainerGroup(
        location=location,
        containers=[container],
        os_type="Linux",
        restart_policy=restart_policy,
        ip_address=address,
    )


def model_server_group(model: dict[str, Any], **options: Any) -> ContainerGroup:
    """The scoring server (:data:`SCORING_APP`) for a linear ``model`` ({"name", "weights", "bias"})."""
    return python_group(
        ["python", "-c", SCORING_APP], port=80, env={"MODEL_JSON": json.dumps(model)}, **options
    )


def group_url(group: ContainerGroup) -> str:
    """``http://<ip>:<port>`` of a group's public IP address."""
    address = group.ip_address
    if address is None or not address.ports:
        raise ValueError(f"container group {group.name} has no public IP address with ports")
    return f"http://{address.ip}:{address.ports[0].port}"


def score(url: str, instances: list[list[float]], timeout: float = 30.0) -> Any:
    """POST ``{"instances": ...}`` to the server and return its JSON answer."""
    request = urllib.request.Request(
        url, data=json.dumps({"instances": instances}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the group's own URL
        return json.loads(answer.read())


@dataclass(frozen=True)
class GroupCost:
    vcpu_seconds: float
    gb_seconds: float
    usd: float


def group_cost(
    cpu: float,
    memory_gb: float,
    seconds: float,
    region: str = "eastus",
    catalog: AzurePriceCatalog | None = None,
) -> GroupCost:
    """What a group with these requests costs for ``seconds`` of running (Linux, pay-as-you-go)."""
    prices = catalog or AzurePriceCatalog.load()
    vcpu_seconds, gb_seconds = cpu * seconds, memory_gb * seconds
    usd = vcpu_seconds * prices.container_vcpu_second(region) + gb_seconds * prices.container_gb_second(
        region
    )
    return GroupCost(vcpu_seconds, gb_seconds, usd)


class ContainerGroups:
    """Deploy, inspect, restart and remove container groups in one resource group."""

    def __init__(self, subscription_id: str, resource_group: str, credential: Any = None) -> None:
        self.client = aci_client(subscription_id, credential)
        self.resource_group = resource_group

    def deploy(self, name: str, group: ContainerGroup) -> ContainerGroup:
        """Create or update the group and wait for provisioning."""
        poller = self.client.container_groups.begin_create_or_update(self.resource_group, name, group)
        return poller.result()

    def get(self, name: str) -> ContainerGroup:
        return self.client.container_groups.get(self.resource_group, name)

    def logs(self, name: str, container: str = "app", tail: int | None = None) -> str:
        return str(
            self.client.containers.list_logs(self.resource_group, name, container, tail=tail).content or ""
        )

    def state(self, name: str, container: str = "app") -> dict[str, Any]:
        """The group's state and the container's current state, exit code and restart count."""
        group = self.get(name)
        found = [c for c in group.containers if c.name == container]
        if not found:
            raise ValueError(f"container group {name} has no container {container!r}")
        view = found[0].instance_view
        return {
            "group": group.instance_view.state if group.instance_view else None,
            "container": view.current_state.state if view else None,
            "exit_code": view.current_state.exit_code if view else None,
            "restarts": view.restart_count if view else 0,
        }

    def restart(self, name: str) -> None:
        self.client.container_groups.begin_restart(self.resource_group, name).result()

    def stop(self, name: str) -> None:
        self.client.container_groups.stop(self.resource_group, name)

    def start(self, name: str) -> None:
        self.client.container_groups.begin_start(self.resource_group, name).result()

    def names(self) -> list[str]:
        return [str(g.name) for g in self.client.container_groups.list_by_resource_group(self.resource_group)]

    def delete(self, name: str) -> None:
        self.client.container_groups.begin_delete(self.resource_group, name).result()
