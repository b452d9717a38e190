"""Conformance tests for CostService: FOCUS-shaped records priced from the provider's catalog."""

from __future__ import annotations

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import Usage

FOCUS_COLUMNS = {
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "ResourceId",
    "RegionId",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "PricingQuantity",
    "PricingUnit",
    "ListUnitPrice",
    "ListCost",
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "ChargeCategory",
    "SkuId",
    "Tags",
}


class CostConformance:
    """Mix in, provide a ``provider`` fixture and set ``priced_resource_type`` (priced per hour)."""

    priced_resource_type: str = ""

    def _usage(self, hours: float) -> Usage:
        assert self.priced_resource_type, "set priced_resource_type on the conformance subclass"
        return Usage(
            service="training", resource_type=self.priced_resource_type, quantity=hours, unit="Hours"
        )

    def test_one_focus_record_per_usage_line(self, provider: CloudProvider) -> None:
        records = provider.costs.estimate([self._usage(1), self._usage(3)])
        assert len(records) == 2
        for record in records:
            assert record.provider_name == provider.name
            assert record.billed_cost > 0 and record.list_unit_price > 0
            assert record.charge_period_end >= record.charge_period_start
            assert FOCUS_COLUMNS <= set(record.to_focus())

    def test_cost_scales_with_quantity(self, provider: CloudProvider) -> None:
        one, ten = provider.costs.estimate([self._usage(1), self._usage(10)])
        assert ten.billed_cost == pytest.approx(10 * one.billed_cost, rel=1e-6)
        assert ten.list_cost == pytest.approx(ten.list_unit_price * ten.pricing_quantity)

    def test_empty_usage_costs_nothing(self, provider: CloudProvider) -> None:
        assert provider.costs.estimate([]) == []

    def test_unknown_resource_type_is_rejected(self, provider: CloudProvider) -> None:
        with pytest.raises(InvalidArgument):
            provider.costs.estimate([Usage("training", "no-such-machine-xyz", 1, "Hours")])
