"""Cost optimisation: purchase options for training, endpoint right-sizing and idle-endpoint finding.

Right-sizing thresholds (CPU normalised to 0-100 % of the instance: SageMaker reports CPUUtilization summed
over cores, up to 100 x vCPUs):

* **downsize** one size in the family when average CPU < 20 % and peak CPU < 50 % and peak memory < 60 %
  (the smaller size halves vCPUs and memory, so the peak must still fit with headroom);
* **upsize** one size when average CPU > 70 % or peak CPU > 90 % or peak memory > 85 %;
* otherwise **keep**. Without datapoints the answer is "insufficient-data", never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.infrastructure.price_catalog import PriceCatalog
from aws_ai_services.session import aws_client

ENDPOINT_INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"  # CPUUtilization, MemoryUtilization, ...
ENDPOINT_INVOCATION_NAMESPACE = "AWS/SageMaker"  # Invocations, ModelLatency, ...
DOWNSIZE_AVG_CPU, DOWNSIZE_PEAK_CPU, DOWNSIZE_PEAK_MEMORY = 20.0, 50.0, 60.0
UPSIZE_AVG_CPU, UPSIZE_PEAK_CPU, UPSIZE_PEAK_MEMORY = 70.0, 90.0, 85.0
MAX_DATAPOINTS = 1440  # CloudWatch returns at most this many datapoints per call


# ----------------------------------------------------------------------------- purchase options
@dataclass(frozen=True)
class PurchaseOption:
    name: str
    monthly_cost: float
    saving_vs_on_demand: float  # fraction, negative when dearer
    note: str


@dataclass(frozen=True)
class TrainingCostComparison:
    instance_type: str
    instance_count: int
    region: str
    hours_per_month: float
    utilisation: float  # share of the month's hours the workload runs
    savings_plan_break_even: float  # utilisation above which the best savings plan beats on-demand
    options: tuple[PurchaseOption, ...]

    @property
    def cheapest(self) -> PurchaseOption:
        return min(self.options, key=lambda option: option.monthly_cost)

    def option(self, name: str) -> PurchaseOption:
        return next(option for option in self.options if option.name == name)


def compare_training_options(
    instance_type: str,
    *,
    hours_per_month: float,
    instance_count: int = 1,
    region: str = "us-east-1",
    catalog: PriceCatalog | None = None,
) -> TrainingCostComparison:
    """On-demand vs managed spot vs ML savings plans for ``hours_per_month`` of training.

    Spot: billed hours grow by the catalog's interruption overhead (restarts from checkpoints) and cost the
    typical discount off on-demand (the note gives the range). A savings plan commits ``$/h`` for every hour
    of the month; sized to cover the workload's hourly usage it costs ``730 x rate x (1 - discount)``, so it
    wins only when the workload runs more than ``1 - discount`` of the month (the break-even utilisation).
    """
    if hours_per_month <= 0 or instance_count < 1:
        raise InvalidArgument("hours_per_month must be > 0 and instance_count >= 1")
    catalog = catalog or PriceCatalog.load()
    rate = catalog.hourly(instance_type, use="training", region=region) * instance_count
    month = catalog.hours_per_month
    if hours_per_month > month:
        raise InvalidArgument(f"hours_per_month {hours_per_month} exceeds the {month} hours in a month")
    on_demand = rate * hours_per_month
    options = [PurchaseOption("on-demand", round(on_demand, 4), 0.0, f"{hours_per_month} h x ${rate:.4f}/h")]
    spot = catalog.spot_discount(instance_type)
    overhead = catalog.spot_interruption_overhead
    billed = hours_per_month * (1 + overhead)
    spot_cost = billed * rate * (1 - spot.typical)
    options.append(
        PurchaseOption(
            "managed-spot",
            round(spot_cost, 4),
            _saving(spot_cost, on_demand),
            f"{billed:.1f} h billed (+{overhead:.0%} restarts) at {spot.typical:.0%} off; range "
            f"${billed * rate * (1 - spot.high):.2f}-${billed * rate * (1 - spot.low):.2f}; "
            "needs checkpoints",
        )
    )
    best_discount = 0.0
    for term, payment in catalog.savings_plan_options():
        discount = catalog.savings_plan_discount(term, payment)
        best_discount = max(best_discount, discount)
        commitment = rate * (1 - discount)  # $/h that covers the usage hours fully
        cost = commitment * month
        options.append(
            PurchaseOption(
                f"savings-plan-{term}-{payment.replace('_', '-')}",
                round(cost, 4),
                _saving(cost, on_demand),
                f"commit ${commitment:.4f}/h for all {month:.0f} h of the month ({discount:.0%} off)",
            )
        )
    return TrainingCostComparison(
        instance_type=instance_type,
        instance_count=instance_count,
        region=region,
        hours_per_month=hours_per_month,
        utilisation=hours_per_month / month,
        savings_plan_break_even=1 - best_discount,
        options=tuple(options),
    )


def _saving(cost: float, baseline: float) -> float:
    return round(1 - cost / baseline, 4) if baseline else 0.0


# ----------------------------------------------------------------------------- CloudWatch reads
@dataclass(frozen=True)
class MetricSummary:
    metric: str
    average: float
    maximum: float
    total: float
    datapoints: int


def endpoint_metric(
    cloudwatch: Any,
    endpoint: str,
    variant: str,
    metric: str,
    *,
    start: datetime,
    end: datetime,
    namespace: str,
    scale: float = 1.0,
) -> MetricSummary:
    """Average, peak and sum of one endpoint metric over [start, end) (values divided by ``scale``)."""
    period = max(60, math.ceil((end - start).total_seconds() / MAX_DATAPOINTS / 60) * 60)
    with aws_errors("costs.get_metric_statistics"):
        response = cloudwatch.get_metric_statistics(
            Namespace=namespace,
            MetricName=metric,
            Dimensions=[
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": variant},
            ],
            StartTime=start,
            EndTime=end,
            Period=period,
            Statistics=["Average", "Maximum", "Sum", "SampleCount"],
        )
    points = response.get("Datapoints", [])
    samples = sum(p.get("SampleCount", 0) for p in points)
    total = sum(p.get("Sum", 0.0) for p in points)
    return MetricSummary(
        metric=metric,
        average=(total / samples / scale) if samples else 0.0,
        maximum=max((p.get("Maximum", 0.0) for p in points), default=0.0) / scale,
        total=total,
        datapoints=int(samples),
    )


# ----------------------------------------------------------------------------- right-sizing
Action = Literal["downsize", "upsize", "keep", "insufficient-data"]


@dataclass(frozen=True)
class RightSizing:
    endpoint_name: str
    variant_name: str
    instance_count: int
    current_instance: str
    recommended_instance: str
    action: Action
    reason: str
    cpu: MetricSummary
    memory: MetricSummary | None
    current_monthly_cost: float
    recommended_monthly_cost: float

    @property
    def monthly_saving(self) -> float:
        return round(self.current_monthly_cost - self.recommended_monthly_cost, 4)


@dataclass(frozen=True)
class EndpointVariant:
    name: str
    instance_type: str
    instance_count: int


def endpoint_variants(sagemaker: Any, endpoint: str) -> list[EndpointVariant]:
    """The instance-backed production variants of ``endpoint`` (serverless variants have no instances)."""
    with aws_errors("costs.describe_endpoint"):
        described = sagemaker.describe_endpoint(EndpointName=endpoint)
        config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    current = {
        v["VariantName"]: v.get("CurrentInstanceCount") for v in described.get("ProductionVariants", [])
    }
    return [
        EndpointVariant(
            name=v["VariantName"],
            instance_type=v["InstanceType"],
            instance_count=int(current.get(v["VariantName"]) or v.get("InitialInstanceCount", 1)),
        )
        for v in config["ProductionVariants"]
        if "InstanceType" in v
    ]


@dataclass(frozen=True)
class IdleEndpoint:
    endpoint_name: str
    instance_type: str
    instance_count: int
    invocations: float
    observed_hours: float
    hourly_cost: float
    monthly_cost: float


class EndpointCostAdvisor:
    """Reads SageMaker endpoints and their CloudWatch metrics; prices with the catalog."""

    def __init__(self, settings: Settings | None = None, *, catalog: PriceCatalog | None = None) -> None:
        self.settings = settings or get_settings()
        self.catalog = catalog or PriceCatalog.load()
        self.region = self.settings.aws.region
        self.sagemaker = aws_client("sagemaker", self.settings)
        self.cloudwatch = aws_client("cloudwatch", self.settings)

    def variants(self, endpoint: str) -> list[EndpointVariant]:
        return endpoint_variants(self.sagemaker, endpoint)

    def right_size(
        self, endpoint: str, *, hours: float = 24 * 7, now: datetime | None = None
    ) -> list[RightSizing]:
        """One recommendation per instance-backed variant, from the last ``hours`` of utilisation."""
        end = now or datetime.now(timezone.utc)
        start = end - timedelta(hours=hours)
        return [self._recommend(endpoint, variant, start, end) for variant in self.variants(endpoint)]

    def _recommend(
        self, endpoint: str, variant: EndpointVariant, start: datetime, end: datetime
    ) -> RightSizing:
        instance, count = variant.instance_type, variant.instance_count
        spec = self.catalog.instance(instance)
        window: dict[str, Any] = {"start": start, "end": end, "namespace": ENDPOINT_INSTANCE_NAMESPACE}
        cpu = endpoint_metric(
            self.cloudwatch, endpoint, variant.name, "CPUUtilization", scale=spec.vcpu, **window
        )
        memory = endpoint_metric(self.cloudwatch, endpoint, variant.name, "MemoryUtilization", **window)
        mem = memory if memory.datapoints else None
        action, reason = _decide(cpu, mem)
        ladder = [s.name for s in self.catalog.family_ladder(spec.family, "inference", self.region)]
        position = ladder.index(instance) if instance in ladder else -1
        target = instance
        if action == "downsize" and position > 0:
            target = ladder[position - 1]
        elif action == "upsize" and 0 <= position < len(ladder) - 1:
            target = ladder[position + 1]
        elif action in ("downsize", "upsize"):
            reason += f"; but {instance} is already the {'smallest' if action == 'downsize' else 'largest'} "
            reason += f"priced {spec.family} size, so change family or instance count instead"
            action = "keep"
        month = self.catalog.hours_per_month
        return RightSizing(
            endpoint_name=endpoint,
            variant_name=variant.name,
            instance_count=count,
            current_instance=instance,
            recommended_instance=target,
            action=action,
            reason=reason,
            cpu=cpu,
            memory=mem,
            current_monthly_cost=round(self._hourly(instance) * count * month, 4),
            recommended_monthly_cost=round(self._hourly(target) * count * month, 4),
        )

    def find_idle(
        self, *, hours: float = 24.0, min_age_hours: float = 1.0, now: datetime | None = None
    ) -> list[IdleEndpoint]:
        """InService endpoints older than ``min_age_hours`` whose Invocations sum over ``hours`` is zero."""
        end = now or datetime.now(timezone.utc)
        start = end - timedelta(hours=hours)
        idle = []
        for summary in self._endpoints():
            age = (end - summary["CreationTime"]).total_seconds() / 3600
            if summary.get("EndpointStatus") != "InService" or age < min_age_hours:
                continue
            name = summary["EndpointName"]
            variants = self.variants(name)
            window: dict[str, Any] = {"start": start, "end": end, "namespace": ENDPOINT_INVOCATION_NAMESPACE}
            calls = sum(
                endpoint_metric(self.cloudwatch, name, v.name, "Invocations", **window).total
                for v in variants
            )
            if calls or not variants:
                continue
            hourly = sum(self._hourly(v.instance_type) * v.instance_count for v in variants)
            idle.append(
                IdleEndpoint(
                    endpoint_name=name,
                    instance_type=", ".join(sorted({v.instance_type for v in variants})),
                    instance_count=sum(v.instance_count for v in variants),
                    invocations=calls,
                    observed_hours=round(min(hours, age), 3),
                    hourly_cost=round(hourly, 4),
                    monthly_cost=round(hourly * self.catalog.hours_per_month, 4),
                )
            )
        return sorted(idle, key=lambda item: -item.monthly_cost)

    def _endpoints(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        with aws_errors("costs.list_endpoints"):
            for page in self.sagemaker.get_paginator("list_endpoints").paginate():
                found.extend(page.get("Endpoints", []))
        return found

    def _hourly(self, instance: str) -> float:
        return self.catalog.hourly(instance, use="inference", region=self.region)


def _decide(cpu: MetricSummary, memory: MetricSummary | None) -> tuple[Action, str]:
    if not cpu.datapoints:
        return "insufficient-data", "no CPUUtilization datapoints in the window"
    mem_peak = memory.maximum if memory else 0.0
    facts = f"CPU avg {cpu.average:.1f}% peak {cpu.maximum:.1f}%" + (
        f", memory peak {mem_peak:.1f}%" if memory else ""
    )
    if cpu.average > UPSIZE_AVG_CPU or cpu.maximum > UPSIZE_PEAK_CPU or mem_peak > UPSIZE_PEAK_MEMORY:
        return (
            "upsize",
            f"{facts}: above an upsize threshold (CPU avg {UPSIZE_AVG_CPU:.0f}%, CPU peak "
            f"{UPSIZE_PEAK_CPU:.0f}%, memory peak {UPSIZE_PEAK_MEMORY:.0f}%)",
        )
    if cpu.average < DOWNSIZE_AVG_CPU and cpu.maximum < DOWNSIZE_PEAK_CPU and mem_peak < DOWNSIZE_PEAK_MEMORY:
        return (
            "downsize",
            f"{facts}: under every downsize threshold (CPU avg {DOWNSIZE_AVG_CPU:.0f}%, CPU peak "
            f"{DOWNSIZE_PEAK_CPU:.0f}%, memory peak {DOWNSIZE_PEAK_MEMORY:.0f}%)",
        )
    return "keep", f"{facts}: within the thresholds"


def summarise(recommendations: Sequence[RightSizing]) -> float:
    """Total monthly saving of a set of recommendations (negative when upsizing costs more)."""
    return round(sum(r.monthly_saving for r in recommendations), 4)
