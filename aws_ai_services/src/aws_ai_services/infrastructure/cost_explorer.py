"""Spend by service from Cost Explorer; when it has no data (moto tracks none), a catalog estimate instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Literal

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import CostRecord

from aws_ai_services.errors import aws_errors
from aws_ai_services.infrastructure.cost_optimization import endpoint_variants
from aws_ai_services.infrastructure.price_catalog import PriceCatalog
from aws_ai_services.session import aws_client

GIB = 1024**3
PROVIDER = "aws"  # the provider name, as AWSCosts records carry it
SpendSource = Literal["cost-explorer", "catalog-estimate"]


@dataclass(frozen=True)
class SpendReport:
    start: date
    end: date
    source: SpendSource
    records: tuple[CostRecord, ...]
    note: str = ""

    @property
    def total(self) -> float:
        return round(sum(record.billed_cost for record in self.records), 6)

    def by_service(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for record in self.records:
            totals[record.service_name] = round(totals.get(record.service_name, 0.0) + record.billed_cost, 6)
        return totals


class CostExplorerSpend:
    """``ce.get_cost_and_usage`` grouped by SERVICE, parsed into FOCUS cost records."""

    def __init__(self, settings: Settings | None = None, *, catalog: PriceCatalog | None = None) -> None:
        self.settings = settings or get_settings()
        self.catalog = catalog or PriceCatalog.load()
        self.ce = aws_client("ce", self.settings)

    def spend_by_service(
        self,
        start: date,
        end: date,
        *,
        granularity: Literal["DAILY", "MONTHLY"] = "DAILY",
        metric: str = "UnblendedCost",
        estimate_when_empty: bool = True,
    ) -> SpendReport:
        """Spend in [start, end); without Cost Explorer data, the inventory estimate (see ``source``)."""
        if end <= start:
            raise InvalidArgument(f"end {end} must be after start {start} (Cost Explorer's End is exclusive)")
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Granularity": granularity,
            "Metrics": [metric, "UsageQuantity"],
            "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
        }
        results: list[dict[str, Any]] = []
        with aws_errors("costs.get_cost_and_usage"):
            while True:
                page = self.ce.get_cost_and_usage(**request)
                results.extend(page.get("ResultsByTime", []))
                if not page.get("NextPageToken"):
                    break
                request["NextPageToken"] = page["NextPageToken"]
        records = tuple(parse_results(results, metric))
        if records or not estimate_when_empty:
            return SpendReport(start, end, "cost-explorer", records)
        estimate = InventoryEstimate(self.settings, catalog=self.catalog).estimate(start, end)
        note = "Cost Explorer returned no data (the local cloud tracks no spend); " + estimate.note
        return SpendReport(start, end, "catalog-estimate", estimate.records, note)


def parse_results(results: Sequence[Mapping[str, Any]], metric: str) -> list[CostRecord]:
    """One record per (time period, service group) — or per period's Total when ungrouped."""
    records = []
    for result in results:
        period = result["TimePeriod"]
        start, end = _day(period["Start"]), _day(period["End"])
        groups = result.get("Groups") or [{"Keys": ["Total"], "Metrics": result.get("Total", {})}]
        for group in groups:
            metrics = group.get("Metrics", {})
            if metric not in metrics:
                continue
            cost = float(metrics[metric]["Amount"])
            usage = metrics.get("UsageQuantity", {})
            quantity = float(usage.get("Amount", 0) or 0)
            records.append(
                CostRecord(
                    provider_name=PROVIDER,
                    service_name=group["Keys"][0],
                    service_category="",
                    resource_id="",
                    region_id="",
                    charge_period_start=start,
                    charge_period_end=end,
                    pricing_quantity=quantity,
                    pricing_unit=str(usage.get("Unit", "")),
                    list_unit_price=cost / quantity if quantity else 0.0,
                    billed_cost=cost,
                    effective_cost=cost,
                    billing_currency=str(metrics[metric].get("Unit", "USD")),
                )
            )
    return records


class InventoryEstimate:
    """What the account's live resources cost over a window, priced from the catalog.

    Covers SageMaker real-time endpoints (instance-hours from creation, or the window start, to the window
    end or now) and S3 Standard storage (current bytes x GB-month share of the window). It cannot see past
    resources that no longer exist, data transfer, requests, or anything else: that is what billing knows.
    """

    def __init__(self, settings: Settings | None = None, *, catalog: PriceCatalog | None = None) -> None:
        self.settings = settings or get_settings()
        self.catalog = catalog or PriceCatalog.load()
        self.region = self.settings.aws.region

    def estimate(self, start: date, end: date, *, now: datetime | None = None) -> SpendReport:
        now = now or datetime.now(timezone.utc)
        window = (_day(start.isoformat()), min(_day(end.isoformat()), now))
        records = [*self._endpoints(window), *self._buckets(window)]
        note = (
            f"estimated from live endpoints and bucket sizes at {self.catalog.as_of} list prices "
            f"({self.region}); past resources, transfer and requests are not included"
        )
        return SpendReport(start, end, "catalog-estimate", tuple(records), note)

    def _endpoints(self, window: tuple[datetime, datetime]) -> list[CostRecord]:
        sagemaker = aws_client("sagemaker", self.settings)
        records = []
        with aws_errors("costs.list_endpoints"):
            summaries = [
                e for page in sagemaker.get_paginator("list_endpoints").paginate() for e in page["Endpoints"]
            ]
        for summary in summaries:
            hours = _overlap_hours(summary["CreationTime"], window)
            for variant in endpoint_variants(sagemaker, summary["EndpointName"]):
                price = self.catalog.hourly(variant.instance_type, use="inference", region=self.region)
                quantity = hours * variant.instance_count
                records.append(
                    self._record(
                        "Amazon SageMaker",
                        "AI and Machine Learning",
                        f"{summary['EndpointArn']}/{variant.name}",
                        window,
                        quantity,
                        "Hours",
                        price,
                        sku=variant.instance_type,
                    )
                )
        return records

    def _buckets(self, window: tuple[datetime, datetime]) -> list[CostRecord]:
        s3 = aws_client("s3", self.settings)
        price = self.catalog.s3_gb_month(self.region)
        records = []
        with aws_errors("costs.list_buckets"):
            for bucket in s3.list_buckets().get("Buckets", []):
                size = sum(
                    item["Size"]
                    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"])
                    for item in page.get("Contents", [])
                )
                share = _overlap_hours(bucket["CreationDate"], window) / self.catalog.hours_per_month
                records.append(
                    self._record(
                        "Amazon Simple Storage Service",
                        "Storage",
                        f"arn:aws:s3:::{bucket['Name']}",
                        window,
                        size / GIB * share,
                        "GB-Month",
                        price,
                        sku="s3-standard",
                    )
                )
        return records

    def _record(
        self,
        service: str,
        category: str,
        resource: str,
        window: tuple[datetime, datetime],
        quantity: float,
        unit: str,
        price: float,
        *,
        sku: str,
    ) -> CostRecord:
        cost = round(quantity * price, 10)
        return CostRecord(
            provider_name=PROVIDER,
            service_name=service,
            service_category=category,
            resource_id=resource,
            region_id=self.region,
            charge_period_start=window[0],
            charge_period_end=window[1],
            pricing_quantity=quantity,
            pricing_unit=unit,
            list_unit_price=price,
            billed_cost=cost,
            effective_cost=cost,
            billing_currency=self.catalog.currency,
            charge_category="Usage",
            sku_id=f"{sku}@{self.catalog.as_of}",
        )


def _day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text[:10]), time(), tzinfo=timezone.utc)


def _overlap_hours(created: datetime, window: tuple[datetime, datetime]) -> float:
    start = max(created, window[0])
    return max(0.0, (window[1] - start).total_seconds() / 3600)
