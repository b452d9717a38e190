"""The dated AWS price catalog (catalog/aws_prices_*.json): typed look-ups that name what is known."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.pricing import DatedCatalog
from multi_cloud.core.pricing import latest_catalog as newest

CATALOG_DIR = Path(__file__).parent / "catalog"
InstanceUse = Literal["training", "inference"]
_PRICE_TABLES: dict[InstanceUse, str] = {
    "training": "sagemaker_training_hourly",
    "inference": "sagemaker_realtime_inference_hourly",
}


@dataclass(frozen=True)
class InstanceSpec:
    name: str
    family: str
    vcpu: int
    memory_gib: float
    gpus: int


@dataclass(frozen=True)
class SpotDiscount:
    """Fractions saved versus on-demand (0.7 = pay 30%)."""

    low: float
    typical: float
    high: float


class PriceCatalog(DatedCatalog):
    """One dated catalog file. Every look-up of an unknown name raises InvalidArgument listing known ones."""

    @classmethod
    def load(cls, path: Path | str | None = None) -> PriceCatalog:
        """The given catalog file, or the newest ``aws_prices_*.json`` shipped with the package."""
        return cls.read(path or latest_catalog())  # type: ignore[no-any-return]

    @property
    def regions(self) -> list[str]:
        return list(self.data["regions"])

    def instance(self, instance_type: str) -> InstanceSpec:
        known = self.data["instances"]
        if instance_type not in known:
            raise InvalidArgument(
                f"instance type {instance_type!r} is not in the {self.as_of} catalog; "
                f"known: {', '.join(known)}"
            )
        return InstanceSpec(name=instance_type, **known[instance_type])

    def family_ladder(self, family: str, use: InstanceUse, region: str) -> list[InstanceSpec]:
        """The priced sizes of one family, smallest first."""
        priced = self._table(use, region)
        sizes = [self.instance(name) for name in priced if self.instance(name).family == family]
        return sorted(sizes, key=lambda spec: (spec.vcpu, spec.memory_gib))

    def hourly(self, instance_type: str, *, use: InstanceUse, region: str) -> float:
        """On-demand price of one instance-hour for SageMaker ``use`` in ``region``."""
        table = self._table(use, region)
        if instance_type not in table:
            raise InvalidArgument(
                f"no {use} price for {instance_type!r} in {region} in the {self.as_of} catalog; "
                f"priced: {', '.join(table)}"
            )
        return float(table[instance_type])

    def instance_types(self, use: InstanceUse, region: str) -> list[str]:
        return list(self._table(use, region))

    def spot_discount(self, instance_type: str) -> SpotDiscount:
        family = self.instance(instance_type).family
        table = self.data["managed_spot_training"]["discount_by_family"]
        if family not in table:
            raise InvalidArgument(
                f"no managed spot data for the {family} family; known families: {', '.join(table)}"
            )
        return SpotDiscount(**table[family])

    @property
    def spot_interruption_overhead(self) -> float:
        return float(self.data["managed_spot_training"]["interruption_overhead"])

    def savings_plan_discount(self, term: str, payment: str) -> float:
        table = self.data["machine_learning_savings_plans"]["discount"]
        if term not in table or payment not in table[term]:
            options = [f"{t}/{p}" for t, payments in table.items() for p in payments]
            raise InvalidArgument(f"no savings plan {term}/{payment}; known: {', '.join(options)}")
        return float(table[term][payment])

    def savings_plan_options(self) -> list[tuple[str, str]]:
        table = self.data["machine_learning_savings_plans"]["discount"]
        return [(term, payment) for term, payments in table.items() for payment in payments]

    @property
    def hours_per_month(self) -> float:
        return float(self.data["machine_learning_savings_plans"]["hours_per_month"])

    def s3_gb_month(self, region: str) -> float:
        return float(self.regional(self.data["s3_standard_gb_month"], "S3 storage", region))

    def lambda_gb_second(self, region: str) -> float:
        return float(self.regional(self.data["lambda"]["gb_second"], "Lambda duration", region))

    def lambda_request(self, region: str) -> float:
        per_million = self.regional(self.data["lambda"]["per_million_requests"], "Lambda requests", region)
        return float(per_million) / 1_000_000

    def _table(self, use: InstanceUse, region: str) -> Mapping[str, float]:
        if use not in _PRICE_TABLES:
            raise InvalidArgument(f"unknown use {use!r}; known: {', '.join(_PRICE_TABLES)}")
        return self.regional(self.data[_PRICE_TABLES[use]], f"SageMaker {use}", region)  # type: ignore[no-any-return]


def latest_catalog() -> Path:
    return newest(CATALOG_DIR, "aws_prices_*.json")
