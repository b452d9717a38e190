"""AWSCosts: the CostService capability, pricing usage from the dated catalog as FOCUS cost records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from multi_cloud.core.base import CostService
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import CostRecord, Usage

from aws_ai_services.infrastructure.price_catalog import PriceCatalog


@dataclass(frozen=True)
class PricedLine:
    """How one kind of usage is priced: the FOCUS service columns and the unit price look-up."""

    service_name: str
    service_category: str
    units: frozenset[str]
    price: Callable[[PriceCatalog, str, str], float]  # (catalog, resource type, region) -> unit price


def _sagemaker(use: str) -> Callable[[PriceCatalog, str, str], float]:
    return lambda catalog, resource, region: catalog.hourly(resource, use=use, region=region)  # type: ignore[arg-type]


HOURS = frozenset({"Hours", "Hrs", "hours"})
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


class AWSCosts(CostService):
    """Estimates from the catalog (no money is spent, no API is called); spend lives in CostExplorerSpend."""

    unsupported = {}

    def __init__(
        self,
        provider: str = "aws",
        settings: Settings | None = None,
        *,
        catalog: PriceCatalog | None = None,
        period: tuple[datetime, datetime] | None = None,
    ) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.catalog = catalog or PriceCatalog.load()
        self.period = period or _this_month()

    def _unknown(self, usage: Usage, why: str) -> InvalidArgument:
        return InvalidArgument(
            f"cannot price {usage.service}/{usage.resource_type}: {why}. "
            f"Known: {', '.join(self.known_usage())}",
            provider=self.provider,
            operation="costs.estimate",
        )

    def known_usage(self) -> list[str]:
        """Every ``service/resource_type`` this catalog prices (instance types listed per use)."""
        region = self.settings.aws.region if self.settings.aws.region in self.catalog.regions else "us-east-1"
        names: list[str] = []
        for service, resource in PRICED:
            if resource == "*":
                use = "training" if service == "training" else "inference"
                names.extend(f"{service}/{t}" for t in self.catalog.instance_types(use, region))  # type: ignore[arg-type]
            else:
                names.append(f"{service}/{resource}")
        return names

    def estimate(self, usage: Iterable[Usage]) -> list[CostRecord]:
        return [self._price(item) for item in usage]

    def _price(self, usage: Usage) -> CostRecord:
        line = PRICED.get((usage.service, usage.resource_type))
        if line is None and usage.resource_type.startswith("ml."):
            line = PRICED.get((usage.service, "*"))
        if line is None:
            raise self._unknown(usage, f"not in the {self.catalog.as_of} AWS catalog")
        if usage.unit not in line.units:
            raise InvalidArgument(
                f"{usage.service}/{usage.resource_type} is priced per {sorted(line.units)[0]}, "
                f"not {usage.unit!r}",
                provider=self.provider,
                operation="costs.estimate",
            )
        if usage.quantity < 0:
            raise InvalidArgument(f"negative usage quantity {usage.quantity}", provider=self.provider)
        region = usage.region or self.settings.aws.region
        try:
            unit_price = line.price(self.catalog, usage.resource_type, region)
        except InvalidArgument as exc:
            raise self._unknown(usage, exc.message) from exc
        cost = round(unit_price * usage.quantity, 10)
        return CostRecord(
            provider_name=self.provider,
            service_name=line.service_name,
            service_category=line.service_category,
            resource_id="",
            region_id=region,
            charge_period_start=self.period[0],
            charge_period_end=self.period[1],
            pricing_quantity=usage.quantity,
            pricing_unit=usage.unit,
            list_unit_price=unit_price,
            billed_cost=cost,
            effective_cost=cost,
            billing_currency=self.catalog.currency,
            charge_category="Usage",
            sku_id=f"{usage.service}:{usage.resource_type}:{region}@{self.catalog.as_of}",
        )


def _this_month() -> tuple[datetime, datetime]:
    now = datetime.now(timezone.utc)
    start = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
    end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=timezone.utc)
    return start, end
