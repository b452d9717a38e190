"""CloudProvider plumbing: capability lookup, declared unsupported operations."""

import pytest
from multi_cloud.core.base import CloudProvider, CostService
from multi_cloud.core.errors import Unsupported
from multi_cloud.core.types import Health


class TinyCosts(CostService):
    unsupported = {"costs.forecast": "this provider has no forecasting"}

    def estimate(self, usage):
        return []


class Tiny(CloudProvider):
    name = "tiny"

    def _make_costs(self):
        return TinyCosts(self.name)

    def health(self):
        return Health(self.name, True, "fine")


def test_service_is_created_once():
    tiny = Tiny()
    assert tiny.costs is tiny.costs


def test_missing_capability_raises_unsupported_and_is_declared():
    tiny = Tiny()
    with pytest.raises(Unsupported, match="no vision"):
        _ = tiny.vision
    declared = tiny.unsupported
    assert "vision" in declared and declared["costs.forecast"] == "this provider has no forecasting"


def test_unsupported_operation_error_carries_the_reason():
    costs = Tiny().costs
    assert costs.supports("estimate") and not costs.supports("forecast")
    err = costs._unsupported("forecast")
    assert err.operation == "costs.forecast" and "no forecasting" in str(err)


def test_unknown_capability_name():
    with pytest.raises(ValueError, match="unknown capability"):
        Tiny().service("telepathy")
