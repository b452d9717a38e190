"""GCPCosts: Vertex AI, AutoML, Cloud Storage and Cloud Run functions usage priced from the dated catalog."""

from __future__ import annotations

import json

import pytest
from gcp_ai_services.client import GCPProvider
from gcp_ai_services.infrastructure.costs import GCPCosts
from gcp_ai_services.infrastructure.price_catalog import GCPPriceCatalog
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings
from multi_cloud.core.types import Usage
from multi_cloud.testing.conformance.costs import CostConformance


def tiny_catalog() -> GCPPriceCatalog:
    """A hand-made catalog so the arithmetic below is checkable by eye."""
    return GCPPriceCatalog(
        {
            "as_of": "2000-01",
            "currency": "USD",
            "source": {},
            "vertex_training_hourly": {"us-central1": {"n1-standard-4": 0.5}},
            "vertex_prediction_hourly": {"us-central1": {"n1-standard-2": 0.1}},
            "automl_node_hourly": {"tabular-training": 20.0, "image-deployment": 1.5},
            "storage_standard_gb_month": {"us-central1": 0.02},
            "cloud_run_functions": {
                "vcpu_second": {"us-central1": 0.00002},
                "gib_second": {"us-central1": 0.000002},
                "per_million_requests": {"us-central1": 0.4},
            },
        }
    )


def test_prices_usage_as_focus_records() -> None:
    costs = GCPCosts("gcp", Settings(mode="cloud"), catalog=tiny_catalog())
    records = costs.estimate(
        [
            Usage("training", "n1-standard-4", 4, "Hours"),
            Usage("endpoint", "n1-standard-2", 730, "Hours", "us-central1"),
            Usage("automl", "tabular-training", 1, "Hours"),
            Usage("storage", "GB-month", 50, "GB-Month"),
            Usage("functions", "vCPU-second", 100_000, "vCPU-Seconds"),
            Usage("functions", "GB-second", 200_000, "GiB-Seconds"),
            Usage("functions", "Requests", 3_000_000, "Requests"),
        ]
    )
    assert [r.billed_cost for r in records] == pytest.approx([2.0, 73.0, 20.0, 1.0, 2.0, 0.4, 1.2])
    assert {r.service_name for r in records} == {"Vertex AI", "Cloud Storage", "Cloud Run functions"}
    assert records[0].region_id == "us-central1"  # the settings' location when usage names none
    assert records[0].sku_id == "training:n1-standard-4:us-central1@2000-01"


def test_unknown_machines_regions_and_units_name_what_is_priced() -> None:
    costs = GCPCosts("gcp", Settings(mode="cloud"))
    with pytest.raises(InvalidArgument) as caught:
        costs.estimate([Usage("training", "a3-megagpu-8g", 1, "Hours")])
    assert "training/n1-standard-4" in caught.value.message and "a3-megagpu-8g" in caught.value.message
    with pytest.raises(InvalidArgument, match="priced regions: us-central1, europe-west4"):
        costs.estimate([Usage("storage", "GB-month", 1, "GB-Month", "asia-east1")])
    with pytest.raises(InvalidArgument, match="priced per"):
        costs.estimate([Usage("endpoint", "n1-standard-2", 1, "Requests")])
    with pytest.raises(InvalidArgument, match="negative"):
        costs.estimate([Usage("storage", "GB-month", -1, "GB-Month")])


def test_the_shipped_catalog_is_dated_sourced_and_positive() -> None:
    catalog = GCPPriceCatalog.load()
    assert catalog.path is not None and catalog.as_of in catalog.path.name
    assert catalog.source["vertex_ai"].startswith("https://cloud.google.com/")
    data = json.loads(catalog.path.read_text())
    for region in catalog.regions:
        for use in ("training", "prediction"):
            assert all(
                catalog.machine_hourly(m, use=use, region=region) > 0
                for m in catalog.machine_types(use, region)
            )
    assert all(price > 0 for price in data["automl_node_hourly"].values())


def test_europe_costs_more_than_iowa_for_the_same_training() -> None:
    costs = GCPCosts("gcp", Settings(mode="cloud"))
    iowa, netherlands = costs.estimate(
        [
            Usage("training", "n1-standard-8", 10, "Hours", "us-central1"),
            Usage("training", "n1-standard-8", 10, "Hours", "europe-west4"),
        ]
    )
    assert netherlands.billed_cost > iowa.billed_cost > 0


class TestGCPCostConformance(CostConformance):
    priced_resource_type = "n1-standard-4"

    @pytest.fixture
    def provider(self) -> GCPProvider:
        return GCPProvider(Settings(mode="cloud"))
