"""Managed online endpoints and deployments: keys, traffic, and deployments whose workers really score."""

from __future__ import annotations

import random
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.operations import AsyncOperation, AsyncOperationStore
from multi_cloud.emulation.serving.traffic_split import RequestRejected, choose_variant

from azure_ai_services.emulator.azure_ml import catalog
from azure_ai_services.emulator.azure_ml.jobs import now
from azure_ai_services.emulator.azure_ml.model_files import stage_code, stage_model
from azure_ai_services.emulator.azure_ml.request_log import RequestLog
from azure_ai_services.emulator.azure_ml.resources import Scope
from azure_ai_services.emulator.azure_ml.scoring_process import ScoringProcess, WorkerFailed

if TYPE_CHECKING:  # pragma: no cover
    from azure_ai_services.emulator.azure_ml.workspace import AzureML

AUTH_MODES = {"key": "Key", "amltoken": "AMLToken", "aadtoken": "AADToken"}
#: what the service fills in when a deployment leaves them out
PROBE = {
    "failureThreshold": 30,
    "successThreshold": 1,
    "timeout": "PT2S",
    "period": "PT10S",
    "initialDelay": "PT10S",
}
DEPLOYMENT_DEFAULTS: dict[str, Any] = {
    "endpointComputeType": "Managed",
    "instanceType": "Standard_DS3_v2",
    "scaleSettings": {"scaleType": "Default"},
    "requestSettings": {"requestTimeout": "PT5S", "maxConcurrentRequestsPerInstance": 1},
    "livenessProbe": PROBE,
    "readinessProbe": PROBE,
    "appInsightsEnabled": False,
    "egressPublicNetworkAccess": "Enabled",
}
#: worker processes per deployment at most (one per instance; the machine is shared)
MAX_LOCAL_INSTANCES = 2


@dataclass
class Deployment:
    """One deployment: what was asked for, its state, and its running instances (worker processes)."""

    endpoint: str
    name: str
    body: dict[str, Any]
    state: str = "Creating"
    work_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cloudai-azureml-deploy-")))
    workers: list[ScoringProcess] = field(default_factory=list)
    turn: int = 0
    log: RequestLog | None = None
    created: str = field(default_factory=now)

    @property
    def log_file(self) -> Path:
        return self.work_dir / "inference-server.log"

    def next_worker(self) -> ScoringProcess:
        alive = [worker for worker in self.workers if worker.alive]
        if self.state != "Succeeded" or not alive:
            raise AzureError(
                424, "DeploymentNotReady", f"Deployment '{self.name}' is {self.state} and cannot score."
            )
        self.turn += 1
        return alive[self.turn % len(alive)]

    def tear_down(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def logs(self, lines: int) -> str:
        if not self.log_file.is_file():
            return ""
        text = self.log_file.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:] if lines > 0 else text)


@dataclass
class Endpoint:
    """One endpoint: its keys, its traffic and mirror traffic, and its deployments by name."""

    scope: Scope
    name: str
    body: dict[str, Any]
    state: str = "Creating"
    keys: dict[str, str] = field(default_factory=lambda: {"primary": _key(), "secondary": _key()})
    deployments: dict[str, Deployment] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    created: str = field(default_factory=now)
    modified: str = field(default_factory=now)

    @property
    def auth_mode(self) -> str:
        return str(self.body.get("properties", {}).get("authMode") or "Key")

    @property
    def traffic(self) -> dict[str, int]:
        return {k: int(v) for k, v in (self.body.get("properties", {}).get("traffic") or {}).items()}


def _key() -> str:
    return secrets.token_urlsafe(24)


class OnlineEndpoints:
    """Every workspace's online endpoints; provisioning runs as ARM long-running operations."""

    def __init__(self, ml: AzureML) -> None:
        self.ml = ml
        self.operations = AsyncOperationStore()
        self._endpoints: dict[tuple[str, str], Endpoint] = {}
        self._lock = threading.RLock()

    def all(self) -> list[Endpoint]:
        """Every workspace's endpoints (what Cost Management prices)."""
        with self._lock:
            return list(self._endpoints.values())

    # endpoints
    def find(self, scope: Scope, name: str) -> Endpoint | None:
        with self._lock:
            return self._endpoints.get((scope.id.lower(), name.lower()))

    def get(self, scope: Scope, name: str) -> Endpoint:
        found = self.find(scope, name)
        if found is None:
            raise AzureError(
                404,
                "ResourceNotFound",
                f"Online endpoint '{name}' was not found in workspace {scope.workspace}.",
            )
        return found

    def list(self, scope: Scope) -> list[Endpoint]:
        with self._lock:
            return [e for (ws, _), e in self._endpoints.items() if ws == scope.id.lower()]

    def put_endpoint(self, scope: Scope, name: str, body: dict[str, Any]) -> tuple[Endpoint, AsyncOperation]:
        properties = dict(body.get("properties") or {})
        mode = str(properties.get("authMode") or "Key")
        if mode.lower() not in AUTH_MODES:
            raise AzureError(
                400, "BadArgument", f"authMode '{mode}' is not one of {', '.join(AUTH_MODES.values())}."
            )
        properties["authMode"] = AUTH_MODES[mode.lower()]
        with self._lock:
            endpoint = self.find(scope, name)
            traffic = {k: int(v) for k, v in (properties.get("traffic") or {}).items()}
            known = endpoint.deployments if endpoint is not None else {}
            self._check_traffic(name, traffic, known, "traffic")
            self._check_traffic(
                name,
                {k: int(v) for k, v in (properties.get("mirrorTraffic") or {}).items()},
                known,
                "mirrorTraffic",
            )
            if endpoint is None:
                endpoint = Endpoint(scope, name, {**body, "properties": properties})
                self._endpoints[(scope.id.lower(), name.lower())] = endpoint
            else:
                endpoint.body = {**endpoint.body, **body, "properties": properties}
                endpoint.state = "Updating"
                endpoint.modified = now()

        def work(operation: AsyncOperation) -> None:
            endpoint.state = "Succeeded"

        return endpoint, self.operations.start(self._op_scope(scope), work)

    @staticmethod
    def _check_traffic(name: str, traffic: dict[str, int], known: dict[str, Deployment], label: str) -> None:
        missing = [deployment for deployment in traffic if deployment not in known]
        if missing:
            raise AzureError(
                400,
                "BadArgument",
                f"The {label} of endpoint '{name}' names deployment(s) {', '.join(missing)} that do not "
                f"exist "
                f"in the endpoint (deployments: {', '.join(known) or 'none'}); create them first.",
            )
        if any(value < 0 or value > 100 for value in traffic.values()):
            raise AzureError(400, "BadArgument", f"Each {label} value must be between 0 and 100.")
        total = sum(traffic.values())
        if label == "traffic" and traffic and total not in (0, 100):
            raise AzureError(
                400,
                "BadArgument",
                f"The traffic of endpoint '{name}' sums to {total}; it must sum to 100 (or 0).",
            )

    def delete_endpoint(self, scope: Scope, name: str) -> AsyncOperation:
        endpoint = self.get(scope, name)
        endpoint.state = "Deleting"

        def work(operation: AsyncOperation) -> None:
            for deployment in list(endpoint.deployments.values()):
                self._remove(deployment)
            with self._lock:
                self._endpoints.pop((scope.id.lower(), name.lower()), None)

        return self.operations.start(self._op_scope(scope), work)

    def regenerate_key(self, scope: Scope, name: str, key_type: str, value: str = "") -> AsyncOperation:
        endpoint = self.get(scope, name)
        kind = key_type.lower()
        if kind not in endpoint.keys:
            raise AzureError(400, "BadArgument", f"keyType '{key_type}' must be Primary or Secondary.")

        def work(operation: AsyncOperation) -> None:
            # the SDK sends the current key as keyValue: that regenerates; another value sets the key
            endpoint.keys[kind] = value if value and value != endpoint.keys[kind] else _key()

        return self.operations.start(self._op_scope(scope), work)

    # deployments
    def deployment(self, scope: Scope, endpoint_name: str, name: str) -> Deployment:
        endpoint = self.get(scope, endpoint_name)
        found = endpoint.deployments.get(name)
        if found is None:
            raise AzureError(
                404,
                "ResourceNotFound",
                f"Deployment '{name}' was not found in online endpoint '{endpoint_name}'.",
            )
        return found

    def put_deployment(
        self, scope: Scope, endpoint_name: str, name: str, body: dict[str, Any]
    ) -> tuple[Deployment, AsyncOperation]:
        endpoint = self.get(scope, endpoint_name)
        properties = {**DEPLOYMENT_DEFAULTS, **{k: v for k, v in (body.get("properties") or {}).items() if v}}
        if not properties.get("model"):
            raise AzureError(400, "BadArgument", "A managed online deployment needs properties.model.")
        sku = body.get("sku") or {}
        instances = int(
            sku.get("capacity") or (properties.get("scaleSettings") or {}).get("minInstances") or 1
        )
        catalog.check_compute(str(properties.get("instanceType") or "Standard_DS3_v2"), instances)
        code = properties.get("codeConfiguration") or {}
        if code and not code.get("scoringScript"):
            raise AzureError(400, "BadArgument", "codeConfiguration needs a scoringScript (e.g. score.py).")
        environment = str(properties.get("environmentId") or "")
        if code and not environment:
            raise AzureError(
                400, "BadArgument", "A deployment with a scoring script needs an environment (environmentId)."
            )
        if environment and not self._registered(scope, environment):
            catalog.check_environment(environment)
        with self._lock:
            previous = endpoint.deployments.get(name)
            deployment = Deployment(endpoint_name, name, {**body, "properties": properties})
            deployment.state = "Updating" if previous else "Creating"
            endpoint.deployments[name] = deployment
        if (properties.get("dataCollector") or {}).get("collections"):
            container = self.ml.blobs.container(self.ml.container_name(scope))
            deployment.log = RequestLog(container, endpoint_name, name)

        def work(operation: AsyncOperation) -> None:
            if previous is not None:
                self._remove_workers(previous)
            self._provision(scope, deployment, max(1, min(instances, MAX_LOCAL_INSTANCES)))

        return deployment, self.operations.start(self._op_scope(scope), work)

    def _provision(self, scope: Scope, deployment: Deployment, instances: int) -> None:
        properties = deployment.body["properties"]
        try:
            model_dir = stage_model(
                self.ml, scope, str(properties["model"]), deployment.work_dir / "azureml-models"
            )
            script = None
            code = properties.get("codeConfiguration") or {}
            if code:
                code_dir = deployment.work_dir / "code"
                stage_code(self.ml, scope, str(code.get("codeId") or ""), code_dir)
                script = code_dir / str(code["scoringScript"])
                if not script.is_file():
                    raise AzureError(
                        400,
                        "BadArgument",
                        f"The scoring script '{code['scoringScript']}' is not in the code.",
                    )
            for _ in range(instances):
                worker = ScoringProcess(deployment.work_dir, model_dir, script, deployment.log_file)
                deployment.workers.append(worker)
                worker.wait_ready()
        except WorkerFailed as failure:
            deployment.tear_down()
            deployment.state = "Failed"
            tail = deployment.logs(12)
            raise AzureError(
                400,
                "ResourceOperationFailure",
                f"Deployment '{deployment.name}' failed: the user container did not start ({failure}). "
                f"Check the deployment logs (get_logs). Log tail:\n{tail}",
            ) from failure
        except AzureError:
            deployment.tear_down()
            deployment.state = "Failed"
            raise
        deployment.state = "Succeeded"

    def delete_deployment(self, scope: Scope, endpoint_name: str, name: str) -> AsyncOperation:
        endpoint = self.get(scope, endpoint_name)
        deployment = self.deployment(scope, endpoint_name, name)
        if endpoint.traffic.get(name, 0) > 0:
            raise AzureError(
                400,
                "BadArgument",
                f"Deployment '{name}' takes {endpoint.traffic[name]}% of the traffic of endpoint "
                f"'{endpoint_name}'; set its traffic to 0 before deleting it.",
            )
        deployment.state = "Deleting"

        def work(operation: AsyncOperation) -> None:
            self._remove(deployment)

        return self.operations.start(self._op_scope(scope), work)

    def _remove(self, deployment: Deployment) -> None:
        self._remove_workers(deployment)
        with self._lock:
            for endpoint in self._endpoints.values():
                if endpoint.deployments.get(deployment.name) is deployment:
                    del endpoint.deployments[deployment.name]
        shutil.rmtree(deployment.work_dir, ignore_errors=True)

    @staticmethod
    def _remove_workers(deployment: Deployment) -> None:
        deployment.tear_down()

    # scoring
    def route(self, endpoint: Endpoint, pinned: str) -> Deployment:
        if pinned:
            if pinned not in endpoint.deployments:
                raise AzureError(
                    404,
                    "DeploymentNotFound",
                    f"Deployment '{pinned}' does not exist in endpoint '{endpoint.name}'.",
                )
            return endpoint.deployments[pinned]
        weights = {name: float(value) for name, value in endpoint.traffic.items()}
        try:
            return endpoint.deployments[choose_variant(weights, endpoint.rng)]
        except RequestRejected as exc:
            raise AzureError(
                424,
                "NoDeploymentTakesTraffic",
                f"No deployment of endpoint '{endpoint.name}' takes traffic: set endpoint.traffic (e.g. "
                f"{{'blue': 100}}) or pass the azureml-model-deployment header. ({exc})",
            ) from exc

    def check_key(self, endpoint: Endpoint, authorization: str) -> None:
        token = authorization.removeprefix("Bearer ").strip()
        if not token or token not in endpoint.keys.values():
            raise AzureError(
                401, "Unauthorized", "Invalid authentication: the key in the Authorization header is wrong."
            )

    def _registered(self, scope: Scope, environment_id: str) -> bool:
        """An environment the SDK registered in the workspace (an image and a conda file)."""
        if "/environments/" not in environment_id or "/versions/" not in environment_id:
            return False
        name, _, version = environment_id.split("/environments/", 1)[1].partition("/versions/")
        return self.ml.resources.find(scope, "environments", name, version.strip("/")) is not None

    @staticmethod
    def _op_scope(scope: Scope) -> str:
        return (
            f"/subscriptions/{scope.subscription}/providers/Microsoft.MachineLearningServices/locations/local"
        )

    def reset(self) -> None:
        with self._lock:
            endpoints = list(self._endpoints.values())
            self._endpoints.clear()
        for endpoint in endpoints:
            for deployment in endpoint.deployments.values():
                deployment.tear_down()
                shutil.rmtree(deployment.work_dir, ignore_errors=True)
