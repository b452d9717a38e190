"""AzureCosts: the CostService capability, pricing usage from the dated Azure catalog (FOCUS records)."""

from __future__ import annotations

from datetime import datetime

from multi_cloud.core.pricing import HOURS, CatalogCosts, PricedLine
from multi_cloud.core.settings import Settings, get_settings

from azure_ai_services.infrastructure.price_catalog import AzurePriceCatalog

AI = "AI and Machine Learning"


def _vm(catalog: AzurePriceCatalog, size: str, region: str) -> float:
    return catalog.vm_hourly(size, region)


#: (Usage.service, Usage.resource_type or "*" for VM sizes) -> pricing
PRICED: dict[tuple[str, str], PricedLine] = {
    ("training", "*"): PricedLine("Azure Machine Learning", AI, HOURS, _vm),
    ("endpoint", "*"): PricedLine("Azure Machine Learning", AI, HOURS, _vm),
    ("storage", "GB-month"): PricedLine(
        "Storage",
        "Storage",
        frozenset({"GB-Month", "GB-month", "GB/Month"}),
        lambda catalog, _resource, region: catalog.blob_gb_month(region),
    ),
    ("functions", "GB-second"): PricedLine(
        "Functions",
        "Compute",
        frozenset({"GB-Seconds", "GB-second", "GB-s"}),
        lambda catalog, _resource, region: catalog.functions_gb_second(region),
    ),
    ("functions", "Requests"): PricedLine(
        "Functions",
        "Compute",
        frozenset({"Requests", "requests", "Executions", "executions"}),
        lambda catalog, _resource, region: catalog.functions_execution(region),
    ),
}
DEFAULT_REGION = "eastus"


class AzureCosts(CatalogCosts):
    """Estimates from the catalog (no money is spent, no API is called): Azure bills what these price."""

    priced = PRICED
    catalog_label = "Azure"

    def __init__(
        self,
        provider: str = "azure",
        settings: Settings | None = None,
        *,
        catalog: AzurePriceCatalog | None = None,
        period: tuple[datetime, datetime] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        region = self.settings.azure.location or DEFAULT_REGION
        super().__init__(provider, catalog or AzurePriceCatalog.load(), default_region=region, period=period)

    def is_machine_type(self, resource_type: str) -> bool:
        return resource_type.startswith("Standard_")

    def machine_types(self, service: str) -> list[str]:
        """VM sizes (Azure ML compute and managed endpoints pay the same VM price)."""
        region = self.default_region if self.default_region in self.catalog.regions else DEFAULT_REGION
        return list(self.catalog.vm_sizes(region))
