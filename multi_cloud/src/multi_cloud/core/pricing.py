"""CatalogCosts: a CostService priced from a dated catalog by a table of usage lines, shared by providers."""

from __future__ import annotations

import abc
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

from multi_cloud.core.capabilities import CostService
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import CostRecord, Usage

#: (catalog, resource type, region) -> the unit price
UnitPrice = Callable[[Any, str, str], float]
HOURS = frozenset({"Hours", "Hrs", "hours"})


@dataclass(frozen=True)
class PricedLine:
    """How one kind of usage is priced: the FOCUS service columns, its units and the unit price look-up."""

    service_name: str
    service_category: str
    units: frozenset[str]
    price: UnitPrice


class CatalogCosts(CostService):
    """Estimates from a dated catalog (no money is spent, no API is called).

    Subclasses set ``priced`` — ``(Usage.service, Usage.resource_type)`` to a :class:`PricedLine`, with
    ``resource_type`` ``"*"`` for machine types the catalog looks up (its look-up raises
    ``InvalidArgument`` for an unknown one) — and ``catalog_label``, and list :meth:`machine_types`.
    The catalog needs ``as_of`` and ``currency``.
    """

    priced: ClassVar[Mapping[tuple[str, str], PricedLine]] = {}
    catalog_label: ClassVar[str] = ""

    def __init__(
        self,
        provider: str,
        catalog: Any,
        *,
        default_region: str,
        period: tuple[datetime, datetime] | None = None,
    ) -> None:
        super().__init__(provider)
        self.catalog = catalog
        self.default_region = default_region
        self.period = period or this_month()

    @abc.abstractmethod
    def machine_types(self, service: str) -> list[str]:
        """The machine types the catalog prices for ``service`` (its ``"*"`` line) in the default region."""

    def known_usage(self) -> list[str]:
        """Every ``service/resource_type`` the catalog prices (machine types listed one by one)."""
        names: list[str] = []
        for service, resource in self.priced:
            types = self.machine_types(service) if resource == "*" else [resource]
            names.extend(f"{service}/{name}" for name in types)
        return names

    def is_machine_type(self, resource_type: str) -> bool:
        """Whether an unlisted ``resource_type`` goes to the service's ``"*"`` line (a machine type)."""
        return True

    def estimate(self, usage: Iterable[Usage]) -> list[CostRecord]:
        return [self._price(item) for item in usage]

    def _line(self, usage: Usage) -> PricedLine | None:
        line = self.priced.get((usage.service, usage.resource_type))
        if line is None and self.is_machine_type(usage.resource_type):
            line = self.priced.get((usage.service, "*"))
        return line

    def _invalid(self, message: str) -> InvalidArgument:
        return InvalidArgument(message, provider=self.provider, operation="costs.estimate")

    def _unknown(self, usage: Usage, why: str) -> InvalidArgument:
        return self._invalid(
            f"cannot price {usage.service}/{usage.resource_type}: {why}. "
            f"Known: {', '.join(self.known_usage())}"
        )

    def _price(self, usage: Usage) -> CostRecord:
        line = self._line(usage)
        if line is None:
            raise self._unknown(usage, f"not in the {self.catalog.as_of} {self.catalog_label} catalog")
        if usage.unit not in line.units:
            raise self._invalid(
                f"{usage.service}/{usage.resource_type} is priced per {sorted(line.units)[0]}, "
                f"not {usage.unit!r}"
            )
        if usage.quantity < 0:
            raise self._invalid(f"negative usage quantity {usage.quantity}")
        region = usage.region or self.default_region
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


def this_month() -> tuple[datetime, datetime]:
    """The current calendar month in UTC, as a FOCUS charge period."""
    now = datetime.now(timezone.utc)
    start = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
    end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=timezone.utc)
    return start, end


class DatedCatalog:
    """One dated price catalog (JSON: ``as_of``, ``currency``, ``source``, price tables keyed by region).

    Every look-up of an unknown name raises ``InvalidArgument`` naming what is known.
    """

    def __init__(self, data: Mapping[str, Any], path: Path | None = None) -> None:
        self.data = data
        self.path = path

    @classmethod
    def read(cls, path: Path | str) -> Any:
        """The catalog in ``path`` (cached per class and path)."""
        key = (cls, str(path))
        if key not in _LOADED:
            with open(path, encoding="utf-8") as handle:
                _LOADED[key] = cls(json.load(handle), Path(path))
        return _LOADED[key]

    @property
    def as_of(self) -> str:
        return str(self.data["as_of"])

    @property
    def currency(self) -> str:
        return str(self.data.get("currency", "USD"))

    @property
    def source(self) -> Mapping[str, Any]:
        return dict(self.data["source"])

    def regional(self, table: Mapping[str, Any], what: str, region: str) -> Any:
        """``table[region]``, or an error naming the priced regions."""
        if region not in table:
            raise InvalidArgument(
                f"no {what} prices for region {region!r} in the {self.as_of} catalog; "
                f"priced regions: {', '.join(table)}"
            )
        return table[region]

    def entry(self, table: Mapping[str, Any], what: str, name: str) -> Any:
        """``table[name]``, or an error naming the priced names."""
        if name not in table:
            raise InvalidArgument(
                f"no {what} price for {name!r} in the {self.as_of} catalog; priced: {', '.join(table)}"
            )
        return table[name]


def latest_catalog(directory: Path, pattern: str) -> Path:
    """The newest catalog file matching ``pattern`` (names carry their date, so the last sorts newest)."""
    found = sorted(directory.glob(pattern))
    if not found:
        raise InvalidArgument(f"no {pattern} catalog in {directory}; reinstall the package")
    return found[-1]


_LOADED: dict[tuple[type[DatedCatalog], str], DatedCatalog] = {}
