"""OnPremCosts: the hourly cost of owning a server, priced from a dated catalog, as FOCUS cost records.

For a server class in the catalog (``catalog/onprem_YYYY-MM.json``)::

    hardware per hour = purchase_price / (amortisation_years * hours_per_year)
    energy per hour   = power_draw_watts / 1000 * pue * electricity_price_per_kwh
    overhead per hour = (hardware + energy) * admin_overhead_percent / 100
    hourly rate       = hardware + energy + overhead

``pue`` (power usage effectiveness) adds cooling and power distribution; ``admin_overhead_percent`` covers
staff, space, network and maintenance. A class may override the catalog's defaults for the last three
(an edge device has no data-centre cooling: PUE 1.0). The cost of a usage line is ``hourly rate * hours``:
straight-line depreciation, so an idle server costs the same as a busy one — the comparison with
pay-per-use cloud prices that lessons draw.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from multi_cloud.core.base import CostService
from multi_cloud.core.errors import ConfigurationError, InvalidArgument
from multi_cloud.core.types import CostRecord, Usage

CATALOG_DIR = Path(__file__).with_name("catalog")
_REQUIRED = ("purchase_price", "amortisation_years", "power_draw_watts")
_OVERRIDABLE = ("electricity_price_per_kwh", "pue", "admin_overhead_percent")
#: usage units -> hours (a month is 730 hours, as cloud price lists count it)
HOURS_PER_UNIT = {
    "hours": 1.0,
    "hour": 1.0,
    "hrs": 1.0,
    "h": 1.0,
    "minutes": 1 / 60,
    "seconds": 1 / 3600,
    "days": 24.0,
    "months": 730.0,
}
SERVICE_CATEGORIES = {
    "training": "AI and Machine Learning",
    "endpoint": "AI and Machine Learning",
    "inference": "AI and Machine Learning",
    "storage": "Storage",
}


def latest_catalog() -> Path:
    """The newest dated catalog file shipped with the package."""
    catalogs = sorted(CATALOG_DIR.glob("onprem_*.json"))
    if not catalogs:
        raise ConfigurationError(f"no onprem_*.json catalog in {CATALOG_DIR}; reinstall the package")
    return catalogs[-1]


class OnPremCosts(CostService):
    """Price on-premises server hours (see the module docstring for the formula)."""

    def __init__(self, provider: str, catalog: Path | None = None) -> None:
        super().__init__(provider)
        self.catalog_path = Path(catalog) if catalog else latest_catalog()
        self.catalog = _load_catalog(self.catalog_path)

    def resource_types(self) -> list[str]:
        return sorted(self.catalog["server_classes"])

    def breakdown(self, resource_type: str) -> dict[str, Any]:
        """Every term of the hourly rate of ``resource_type``, with the inputs used."""
        server = self._server(resource_type)
        hours_per_year = float(self.catalog["hours_per_year"])
        hardware = server["purchase_price"] / (server["amortisation_years"] * hours_per_year)
        power_kw = server["power_draw_watts"] / 1000
        energy = power_kw * server["pue"] * server["electricity_price_per_kwh"]
        overhead = (hardware + energy) * server["admin_overhead_percent"] / 100
        return {
            "resource_type": resource_type,
            "currency": self.catalog["currency"],
            "hardware_per_hour": hardware,
            "energy_per_hour": energy,
            "overhead_per_hour": overhead,
            "total_per_hour": hardware + energy + overhead,
            "facility_kw": power_kw * server["pue"],
            "inputs": {key: server[key] for key in (*_REQUIRED, *_OVERRIDABLE)}
            | {"hours_per_year": hours_per_year},
        }

    def hourly_rate(self, resource_type: str) -> float:
        return float(self.breakdown(resource_type)["total_per_hour"])

    def estimate(self, usage: Iterable[Usage], *, period_start: datetime | None = None) -> list[CostRecord]:
        """One FOCUS-shaped record per usage line; each line's charge period starts at ``period_start``
        (default: the current hour) and lasts its quantity in hours."""
        start = period_start or datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        return [self._record(line, start) for line in usage]

    def _record(self, line: Usage, start: datetime) -> CostRecord:
        rate = self.hourly_rate(line.resource_type)
        hours = _hours(line)
        cost = rate * hours
        return CostRecord(
            provider_name=self.provider,
            service_name=f"On-premises {line.service}",
            service_category=SERVICE_CATEGORIES.get(line.service, "Compute"),
            resource_id=line.resource_type,
            region_id=line.region or "on-premises",
            charge_period_start=start,
            charge_period_end=start + timedelta(hours=hours),
            pricing_quantity=hours,
            pricing_unit="Hours",
            list_unit_price=rate,
            billed_cost=cost,
            effective_cost=cost,
            billing_currency=str(self.catalog["currency"]),
            sku_id=f"{self.catalog_path.stem}:{line.resource_type}",
            tags={"catalog": self.catalog_path.name, "effective_date": str(self.catalog["effective_date"])},
        )

    def _server(self, resource_type: str) -> dict[str, float]:
        classes: Mapping[str, Mapping[str, Any]] = self.catalog["server_classes"]
        if resource_type not in classes:
            raise InvalidArgument(
                f"unknown on-prem resource type {resource_type!r}; known: {', '.join(self.resource_types())}",
                provider=self.provider,
                operation="costs.estimate",
            )
        merged = {**self.catalog["defaults"], **classes[resource_type]}
        return {key: float(merged[key]) for key in (*_REQUIRED, *_OVERRIDABLE)}


def _hours(line: Usage) -> float:
    factor = HOURS_PER_UNIT.get(line.unit.strip().lower())
    if factor is None:
        raise InvalidArgument(
            f"usage unit {line.unit!r} is not a time unit; use one of: {', '.join(HOURS_PER_UNIT)}"
        )
    if line.quantity < 0:
        raise InvalidArgument(f"usage quantity must not be negative, got {line.quantity}")
    return line.quantity * factor


def _load_catalog(path: Path) -> dict[str, Any]:
    try:
        catalog: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read cost catalog {path}: {exc}; fix or remove the file") from exc
    problems = [
        key for key in ("currency", "hours_per_year", "defaults", "server_classes") if key not in catalog
    ]
    for name, server in catalog.get("server_classes", {}).items():
        merged = {**catalog.get("defaults", {}), **server}
        problems += [
            f"server_classes.{name}.{key}" for key in (*_REQUIRED, *_OVERRIDABLE) if key not in merged
        ]
        if float(merged.get("amortisation_years", 1)) <= 0:
            problems.append(f"server_classes.{name}.amortisation_years must be positive")
    if problems:
        raise ConfigurationError(f"cost catalog {path} is missing or has bad fields: {', '.join(problems)}")
    catalog.setdefault("effective_date", path.stem.partition("_")[2])
    return catalog
