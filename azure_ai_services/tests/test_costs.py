"""AzureCosts: Azure ML compute and endpoint hours, Blob storage and Functions, from the dated catalog."""

from __future__ import annotations

import pytest
from azure_ai_services.client import AzureProvider
from azure_ai_services.infrastructure.costs import AzureCosts
from azure_ai_services.infrastructure.price_catalog import AzurePriceCatalog
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings
from multi_cloud.core.types import Usage
from multi_cloud.testing.conformance.costs import CostConformance


def tiny_catalog() -> AzurePriceCatalog:
    """A hand-made catalog so the arithmetic below is checkable by eye."""
    return AzurePriceCatalog(
        {
            "as_of": "2000-01",
            "currency": "USD",
            "source": {},
            "vm_hourly": {"eastus": {"Standard_DS3_v2": 0.25, "Standard_DS2_v2": 0.125}},
            "blob_hot_lrs_gb_month": {"eastus": 0.02},
            "functions_consumption": {
                "gb_second": {"eastus": 0.00001},
                "per_million_executions": {"eastus": 0.2},
            },
        }
    )


def test_prices_usage_as_focus_records() -> None:
    costs = AzureCosts("azure", Settings(mode="cloud"), catalog=tiny_catalog())
    records = costs.estimate(
        [
            Usage("training", "Standard_DS3_v2", 4, "Hours"),
            Usage("endpoint", "Standard_DS2_v2", 730, "Hours", "eastus"),
            Usage("storage", "GB-month", 50, "GB-Month"),
            Usage("functions", "GB-second", 400_000, "GB-Seconds"),
            Usage("functions", "Requests", 3_000_000, "Executions"),
        ]
    )
    assert [r.billed_cost for r in records] == pytest.approx([1.0, 91.25, 1.0, 4.0, 0.6])
    assert {r.service_name for r in records} == {"Azure Machine Learning", "Storage", "Functions"}
    assert records[0].region_id == "eastus"  # the settings' location when usage names none
    assert records[0].to_focus()["ProviderName"] == "azure"


def test_unknown_sizes_regions_and_units_name_what_is_priced() -> None:
    costs = AzureCosts("azure", Settings(mode="cloud"))
    with pytest.raises(InvalidArgument) as caught:
        costs.estimate([Usage("training", "Standard_ND96asr_v4", 1, "Hours")])
    assert "training/Standard_DS3_v2" in caught.value.message
    with pytest.raises(InvalidArgument, match="not in the 2026-12 Azure catalog"):
        costs.estimate([Usage("training", "ml.m5.large", 1, "Hours")])
    with pytest.raises(InvalidArgument, match="priced regions: eastus, westeurope"):
        costs.estimate([Usage("storage", "GB-month", 1, "GB-Month", "japaneast")])
    with pytest.raises(InvalidArgument, match="priced per"):
        costs.estimate([Usage("endpoint", "Standard_DS2_v2", 1, "GB-Month")])


def test_the_shipped_catalog_is_dated_sourced_and_positive() -> None:
    catalog = AzurePriceCatalog.load()
    assert catalog.path is not None and catalog.as_of in catalog.path.name
    assert catalog.source["retail_prices_api"].startswith("https://prices.azure.com/")
    for region in catalog.regions:
        sizes = catalog.vm_sizes(region)
        assert sizes and all(catalog.vm_hourly(size, region) > 0 for size in sizes)
        assert catalog.blob_gb_month(region) > 0 and catalog.functions_execution(region) > 0


class TestAzureCostConformance(CostConformance):
    priced_resource_type = "Standard_DS3_v2"

    @pytest.fixture
    def provider(self) -> AzureProvider:
        return AzureProvider(Settings(mode="cloud"))
