"""On-prem costs: the shared conformance suite plus the documented formula, recomputed from the catalog."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from multi_cloud.core.errors import ConfigurationError, InvalidArgument
from multi_cloud.core.types import Usage
from multi_cloud.onprem.costs import CATALOG_DIR, OnPremCosts, latest_catalog
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.testing.conformance.costs import CostConformance


class TestOnPremCosts(CostConformance):
    priced_resource_type = "cpu-server"

    @pytest.fixture
    def provider(self, tmp_path: Path) -> OnPremProvider:
        return OnPremProvider(root=tmp_path)


def catalog() -> dict:
    return json.loads(latest_catalog().read_text())


def test_the_shipped_catalog_is_dated_and_has_the_three_classes() -> None:
    assert latest_catalog() == CATALOG_DIR / "onprem_2026-11.json"
    assert OnPremCosts("onprem").resource_types() == ["cpu-server", "edge-device", "gpu-server"]


@pytest.mark.parametrize("resource_type", ["cpu-server", "gpu-server", "edge-device"])
def test_hourly_rate_follows_the_documented_formula(resource_type: str) -> None:
    data = catalog()
    server = {**data["defaults"], **data["server_classes"][resource_type]}
    hardware = server["purchase_price"] / (server["amortisation_years"] * data["hours_per_year"])
    energy = server["power_draw_watts"] / 1000 * server["pue"] * server["electricity_price_per_kwh"]
    expected = (hardware + energy) * (1 + server["admin_overhead_percent"] / 100)
    costs = OnPremCosts("onprem")
    assert costs.hourly_rate(resource_type) == pytest.approx(expected)
    parts = costs.breakdown(resource_type)
    assert parts["hardware_per_hour"] == pytest.approx(hardware)
    assert parts["energy_per_hour"] == pytest.approx(energy)
    assert parts["hardware_per_hour"] + parts["energy_per_hour"] + parts[
        "overhead_per_hour"
    ] == pytest.approx(expected)


def test_known_values_for_the_cpu_server() -> None:
    # (14000 / (5 * 8760) = 0.319635) + (0.45 kW * 1.5 * 0.14 = 0.0945) = 0.414135; * 1.25 overhead
    assert OnPremCosts("onprem").hourly_rate("cpu-server") == pytest.approx(0.517668, abs=1e-6)


def test_edge_devices_override_pue_and_overhead() -> None:
    inputs = OnPremCosts("onprem").breakdown("edge-device")["inputs"]
    assert inputs["pue"] == 1.0 and inputs["admin_overhead_percent"] == 15.0
    assert inputs["electricity_price_per_kwh"] == catalog()["defaults"]["electricity_price_per_kwh"]


def test_estimate_converts_units_and_fills_focus_columns() -> None:
    costs = OnPremCosts("onprem")
    start = datetime(2026, 11, 2, 8, tzinfo=timezone.utc)
    minutes, days = costs.estimate(
        [
            Usage("endpoint", "gpu-server", 90, "Minutes", region="dc-1"),
            Usage("functions", "cpu-server", 2, "days"),
        ],
        period_start=start,
    )
    assert minutes.pricing_quantity == pytest.approx(1.5) and minutes.pricing_unit == "Hours"
    assert minutes.billed_cost == pytest.approx(1.5 * costs.hourly_rate("gpu-server"))
    assert minutes.charge_period_end == datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
    assert minutes.region_id == "dc-1" and days.region_id == "on-premises"
    assert minutes.service_category == "AI and Machine Learning" and days.service_category == "Compute"
    assert days.billed_cost == pytest.approx(48 * costs.hourly_rate("cpu-server"))
    focus = days.to_focus()
    assert focus["SkuId"] == "onprem_2026-11:cpu-server" and focus["ServiceName"] == "On-premises functions"
    assert focus["Tags"]["effective_date"] == "2026-11-01"


def test_bad_usage_names_the_fix() -> None:
    costs = OnPremCosts("onprem")
    with pytest.raises(InvalidArgument, match="known: cpu-server, edge-device, gpu-server"):
        costs.hourly_rate("ml.m5.large")
    with pytest.raises(InvalidArgument, match="not a time unit"):
        costs.estimate([Usage("storage", "cpu-server", 1, "GB-Month")])
    with pytest.raises(InvalidArgument, match="negative"):
        costs.estimate([Usage("training", "cpu-server", -1, "Hours")])


def test_a_custom_catalog_is_used_and_validated(tmp_path: Path) -> None:
    custom = tmp_path / "onprem_2030-01.json"
    custom.write_text(
        json.dumps(
            {
                "currency": "EUR",
                "hours_per_year": 8760,
                "defaults": {"electricity_price_per_kwh": 0.30, "pue": 1.2, "admin_overhead_percent": 0},
                "server_classes": {
                    "tiny": {"purchase_price": 8760, "amortisation_years": 1, "power_draw_watts": 1000}
                },
            }
        )
    )
    costs = OnPremCosts("onprem", catalog=custom)
    assert costs.hourly_rate("tiny") == pytest.approx(1.0 + 1.0 * 1.2 * 0.30)
    assert costs.estimate([Usage("training", "tiny", 1, "Hours")])[0].billing_currency == "EUR"
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps({"currency": "USD", "hours_per_year": 8760, "defaults": {}, "server_classes": {"x": {}}})
    )
    with pytest.raises(ConfigurationError, match="server_classes.x.purchase_price"):
        OnPremCosts("onprem", catalog=broken)
    with pytest.raises(ConfigurationError, match="cannot read"):
        OnPremCosts("onprem", catalog=tmp_path / "missing.json")
