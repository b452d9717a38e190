"""What the local cloud ran, priced: Azure ML VM hours (jobs, deployments), Functions executions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multi_cloud.core.pricing import DatedCatalog, latest_catalog

if TYPE_CHECKING:  # pragma: no cover
    from azure_ai_services.emulator.app import EmulatorState

ML = "Azure Machine Learning"
FUNCTIONS = "Functions"
DEFAULT_REGION = "eastus"
FUNCTION_MEMORY_GB = (
    0.125  # Consumption plan: memory is billed rounded up to 128 MB; the worker's is not measured
)
MINIMUM_EXECUTION_SECONDS = 0.1
CONTAINER_JOB_TYPES = ("Sweep", "Pipeline")


def catalog() -> DatedCatalog:
    """The package's newest ``azure_prices_*.json`` (the same file ``infrastructure.price_catalog`` reads)."""
    import azure_ai_services

    directory = Path(azure_ai_services.__file__).parent / "infrastructure" / "catalog"
    return DatedCatalog.read(latest_catalog(directory, "azure_prices_*.json"))  # type: ignore[no-any-return]


def parse_time(text: str) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


@dataclass(frozen=True)
class UsageLine:
    """Priced usage: ``rate`` per hour over [start, end], or ``amount`` at the instant ``start``."""

    subscription: str
    group: str
    resource_id: str
    resource_type: str
    service: str
    meter: str
    start: datetime
    end: datetime
    rate: float = 0.0
    amount: float = 0.0

    def cost(self, since: datetime, until: datetime) -> float:
        if self.rate:
            start, end = max(self.start, since), min(self.end, until)
            return max((end - start).total_seconds(), 0.0) / 3600 * self.rate
        return self.amount if since <= self.start < until else 0.0


class UsageMeter:
    """Reads the emulator's records each query (nothing is stored twice) and prices them from the catalog."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def region(self, subscription: str, group: str) -> str:
        prices = catalog().data["vm_hourly"]
        found = self.state.arm.groups.get((subscription.lower(), group.lower()))
        location = found.location.replace(" ", "").lower() if found else DEFAULT_REGION
        return location if location in prices else DEFAULT_REGION

    def vm_hourly(self, size: str, region: str) -> float:
        prices = catalog().regional(catalog().data["vm_hourly"], "VM", region)
        match = next((name for name in prices if name.lower() == size.lower()), size)
        return float(catalog().entry(prices, f"VM in {region}", match))

    def lines(self) -> list[UsageLine]:
        return [*self._jobs(), *self._deployments(), *self._functions()]

    def _jobs(self) -> list[UsageLine]:
        now = datetime.now(timezone.utc)
        found: list[UsageLine] = []
        ml = self.state.azure_ml
        for job in ml.jobs.all():
            start = parse_time(job.start_time)
            if start is None or job.properties.get("jobType") in CONTAINER_JOB_TYPES:
                continue
            compute_id = str(job.properties.get("computeId") or "")
            compute = (
                ml.resources.find(job.scope, "computes", compute_id.rsplit("/", 1)[-1])
                if compute_id
                else None
            )
            size = str(((compute or {}).get("properties") or {}).get("properties", {}).get("vmSize") or "")
            if not size:
                continue  # serverless or local compute: no VM is billed here
            nodes = int((job.properties.get("resources") or {}).get("instanceCount") or 1)
            region = self.region(job.scope.subscription, job.scope.group)
            found.append(
                UsageLine(
                    job.scope.subscription,
                    job.scope.group,
                    f"{job.scope.id}/computes/{compute_id.rsplit('/', 1)[-1]}",
                    "microsoft.machinelearningservices/workspaces/computes",
                    ML,
                    f"{size} VM hours (job {job.name})",
                    start,
                    parse_time(job.end_time) or now,
                    rate=nodes * self.vm_hourly(size, region),
                )
            )
        return found

    def _deployments(self) -> list[UsageLine]:
        now = datetime.now(timezone.utc)
        found: list[UsageLine] = []
        for endpoint in self.state.azure_ml.online.all():
            for deployment in list(endpoint.deployments.values()):
                properties: dict[str, Any] = deployment.body.get("properties") or {}
                size = str(properties.get("instanceType") or "Standard_DS3_v2")
                instances = int((deployment.body.get("sku") or {}).get("capacity") or 1)
                region = self.region(endpoint.scope.subscription, endpoint.scope.group)
                found.append(
                    UsageLine(
                        endpoint.scope.subscription,
                        endpoint.scope.group,
                        f"{endpoint.scope.id}/onlineEndpoints/{endpoint.name}",
                        "microsoft.machinelearningservices/workspaces/onlineendpoints",
                        ML,
                        f"{size} VM hours (deployment {deployment.name})",
                        parse_time(deployment.created) or now,
                        now,
                        rate=instances * self.vm_hourly(size, region),
                    )
                )
        return found

    def _functions(self) -> list[UsageLine]:
        found: list[UsageLine] = []
        data = catalog().data["functions_consumption"]
        invocations = self.state.functions.host.invocations
        for app in self.state.functions.apps.all():
            region = self.region(app.subscription, app.group)
            per_execution = (
                float(catalog().regional(data["per_million_executions"], "Functions", region)) / 1e6
            )
            per_gb_second = float(catalog().regional(data["gb_second"], "Functions", region))
            for call in list(invocations.get(app.name, [])):
                started = parse_time(call.started) or datetime.now(timezone.utc)
                seconds = max(call.duration_ms / 1000, MINIMUM_EXECUTION_SECONDS)
                found.append(
                    UsageLine(
                        app.subscription,
                        app.group,
                        app.id,
                        "microsoft.web/sites",
                        FUNCTIONS,
                        "Executions and GB-seconds",
                        started,
                        started,
                        amount=per_execution + seconds * FUNCTION_MEMORY_GB * per_gb_second,
                    )
                )
        return found
