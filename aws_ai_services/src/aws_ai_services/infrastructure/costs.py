"""AWSCosts: the CostService capability, pricing usage from the dated catalog as FOCUS cost records."""

from __future__ import annotations

from datetime import datetime

from multi_cloud.core.pricing import HOURS, CatalogCosts, PricedLine, UnitPrice
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.infrastructure.price_catalog import PriceCatalog


def _sagemaker(use: str) -> UnitPrice:
    return lambda catalog, resource, region: catalog.hourly(resource, use=use, region=region)


#: (Usage.service, Usage.resource_type or "*" for instance types) -> pricing
PRICED: dict[tuple[str, str], PricedLine] = {
    ("training", "*"): PricedLine(
        "Amazon SageMaker", "AI and Machine Learning", HOURS, _sagemaker("training")
    ),
    ("endpoint", "*"): PricedLine(
        "Amazon SageMaker", "AI and Machine Learning", HOURS, _sagemaker("inference")
    ),
    ("storage", "GB-month"): PricedLine(
        "Amazon Simple Storage Service",
        "Storage",
        frozenset({"GB-Month", "GB-month", "GB-Mo"}),
        lambda catalog, _resource, region: catalog.s3_gb_month(region),
    ),
    ("functions", "GB-second"): PricedLine(
        "AWS Lambda",
        "Compute",
        frozenset({"GB-Seconds", "GB-second", "GB-seconds", "Lambda-GB-Second"}),
        lambda catalog, _resource, region: catalog.lambda_gb_second(region),
    ),
    ("functions", "Requests"): PricedLine(
        "AWS Lambda",
        "Compute",
        frozenset({"Requests", "requests", "Request"}),
        lambda catalog, _resource, region: catalog.lambda_request(region),
    ),
}


class AWSCosts(CatalogCosts):
    """Estimates from the catalog (no money is spent, no API is called); spend lives in CostExplorerSpend."""

    priced = PRICED
    catalog_label = "AWS"

    def __init__(
        self,
        provider: str = "aws",
        settings: Settings | None = None,
        *,
        catalog: PriceCatalog | None = None,
        period: tuple[datetime, datetime] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        super().__init__(
            provider, catalog or PriceCatalog.load(), default_region=self.settings.aws.region, period=period
        )

    def is_machine_type(self, resource_type: str) -> bool:
        return resource_type.startswith("ml.")

    def machine_types(self, service: str) -> list[str]:
        """SageMaker instance types priced for training or for inference (endpoints)."""
        region = self.settings.aws.region if self.settings.aws.region in self.catalog.regions else "us-east-1"
        return list(self.catalog.instance_types("training" if service == "training" else "inference", region))
