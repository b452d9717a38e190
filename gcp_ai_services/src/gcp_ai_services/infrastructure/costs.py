"""GCPCosts: the CostService capability, pricing usage from the dated Google Cloud catalog (FOCUS records)."""

from __future__ import annotations

from datetime import datetime

from multi_cloud.core.pricing import HOURS, CatalogCosts, PricedLine, UnitPrice
from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.infrastructure.price_catalog import GCPPriceCatalog

AI = "AI and Machine Learning"
GIB_SECONDS = frozenset({"GiB-Seconds", "GiB-second", "GB-Seconds", "GB-second"})


def _vertex(use: str) -> UnitPrice:
    return lambda catalog, machine, region: catalog.machine_hourly(machine, use=use, region=region)


def _automl(activity: str) -> UnitPrice:
    return lambda catalog, _resource, _region: catalog.automl_node_hourly(activity)


#: (Usage.service, Usage.resource_type or "*" for machine types) -> pricing
PRICED: dict[tuple[str, str], PricedLine] = {
    ("training", "*"): PricedLine("Vertex AI", AI, HOURS, _vertex("training")),
    ("endpoint", "*"): PricedLine("Vertex AI", AI, HOURS, _vertex("prediction")),
    **{
        ("automl", activity): PricedLine("Vertex AI", AI, HOURS, _automl(activity))
        for activity in ("tabular-training", "tabular-deployment", "image-training", "image-deployment")
    },
    ("storage", "GB-month"): PricedLine(
        "Cloud Storage",
        "Storage",
        frozenset({"GB-Month", "GB-month", "GiB-Month", "GiB-month"}),
        lambda catalog, _resource, region: catalog.storage_gb_month(region),
    ),
    ("functions", "GB-second"): PricedLine(
        "Cloud Run functions",
        "Compute",
        GIB_SECONDS,
        lambda catalog, _resource, region: catalog.functions_gib_second(region),
    ),
    ("functions", "vCPU-second"): PricedLine(
        "Cloud Run functions",
        "Compute",
        frozenset({"vCPU-Seconds", "vCPU-second"}),
        lambda catalog, _resource, region: catalog.functions_vcpu_second(region),
    ),
    ("functions", "Requests"): PricedLine(
        "Cloud Run functions",
        "Compute",
        frozenset({"Requests", "requests", "Request"}),
        lambda catalog, _resource, region: catalog.functions_request(region),
    ),
}
DEFAULT_REGION = "us-central1"


class GCPCosts(CatalogCosts):
    """Estimates from the catalog (no money is spent, no API is called): Google bills what these price."""

    priced = PRICED
    catalog_label = "Google Cloud"

    def __init__(
        self,
        provider: str = "gcp",
        settings: Settings | None = None,
        *,
        catalog: GCPPriceCatalog | None = None,
        period: tuple[datetime, datetime] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        region = self.settings.gcp.location or DEFAULT_REGION
        super().__init__(provider, catalog or GCPPriceCatalog.load(), default_region=region, period=period)

    def machine_types(self, service: str) -> list[str]:
        """Vertex AI machine types priced for training or for prediction (endpoints)."""
        region = self.default_region if self.default_region in self.catalog.regions else DEFAULT_REGION
        return list(self.catalog.machine_types("training" if service == "training" else "prediction", region))
