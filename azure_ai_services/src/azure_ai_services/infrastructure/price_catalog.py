"""The dated Azure price catalog (catalog/azure_prices_*.json): typed look-ups naming what is known."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from multi_cloud.core.pricing import DatedCatalog, latest_catalog

CATALOG_DIR = Path(__file__).parent / "catalog"


class AzurePriceCatalog(DatedCatalog):
    """VM hours (Azure ML compute, online endpoints), Blob, Functions, Container Instances, per region."""

    @classmethod
    def load(cls, path: Path | str | None = None) -> AzurePriceCatalog:
        """The given catalog file, or the newest ``azure_prices_*.json`` shipped with the package."""
        return cls.read(path or latest_catalog(CATALOG_DIR, "azure_prices_*.json"))  # type: ignore[no-any-return]

    @property
    def regions(self) -> list[str]:
        return list(self.data["vm_hourly"])

    def vm_sizes(self, region: str) -> list[str]:
        return list(self._vms(region))

    def vm_hourly(self, size: str, region: str) -> float:
        """Pay-as-you-go price of one ``size`` VM hour in ``region`` (Azure ML adds no surcharge)."""
        return float(self.entry(self._vms(region), f"VM in {region}", size))

    def blob_gb_month(self, region: str) -> float:
        return float(self.regional(self.data["blob_hot_lrs_gb_month"], "Blob storage", region))

    def functions_gb_second(self, region: str) -> float:
        table = self.data["functions_consumption"]["gb_second"]
        return float(self.regional(table, "Functions execution time", region))

    def functions_execution(self, region: str) -> float:
        table = self.data["functions_consumption"]["per_million_executions"]
        return float(self.regional(table, "Functions executions", region)) / 1_000_000

    def container_vcpu_second(self, region: str) -> float:
        """Azure Container Instances (Linux): one vCPU for one second, billed from image pull to stop."""
        table = self.data["container_instances_linux"]["vcpu_second"]
        return float(self.regional(table, "Container Instances vCPU", region))

    def container_gb_second(self, region: str) -> float:
        """Azure Container Instances (Linux): one GB of memory for one second."""
        table = self.data["container_instances_linux"]["gb_second"]
        return float(self.regional(table, "Container Instances memory", region))

    def _vms(self, region: str) -> Mapping[str, float]:
        return self.regional(self.data["vm_hourly"], "VM", region)  # type: ignore[no-any-return]
