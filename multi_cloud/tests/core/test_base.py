"""CloudProvider plumbing: declared capability factories, typed lookup, declared unsupported operations."""

from pathlib import Path

import pytest
from multi_cloud.core.base import Capabilities, CloudProvider, CostService, VisionService
from multi_cloud.core.errors import Unsupported
from multi_cloud.core.types import CostRecord, Health, Usage
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.testing.conformance.contract import ContractConformance, unsupported_key_problems


class TinyCosts(CostService):
    unsupported = {"costs.estimate": "this provider has no price list"}

    def estimate(self, usage: object) -> list[CostRecord]:
        raise self._unsupported("estimate")


class Tiny(CloudProvider):
    name = "tiny"
    built = 0

    def capabilities(self) -> Capabilities:
        return Capabilities(costs=self._costs)

    def _costs(self) -> CostService:
        Tiny.built += 1
        return TinyCosts(self.name)

    def health(self) -> Health:
        return Health(self.name, True, "fine")


class TestTinyContract(ContractConformance):
    @pytest.fixture
    def provider(self) -> Tiny:
        return Tiny()


class TestOnPremContract(ContractConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> OnPremProvider:
        return OnPremProvider(root=tmp_path)


def test_service_is_built_once_on_first_use() -> None:
    Tiny.built = 0
    tiny = Tiny()
    assert tiny.offers("costs") and Tiny.built == 0
    assert tiny.costs is tiny.service("costs") and Tiny.built == 1


def test_missing_capability_raises_unsupported_and_is_declared() -> None:
    tiny = Tiny()
    assert not tiny.offers("vision")
    with pytest.raises(Unsupported, match="no vision"):
        _ = tiny.vision
    declared = tiny.unsupported
    assert "vision" in declared and declared["costs.estimate"] == "this provider has no price list"


def test_unsupported_operation_error_carries_the_reason() -> None:
    costs = Tiny().costs
    assert not costs.supports("estimate")
    with pytest.raises(Unsupported) as caught:
        costs.estimate([Usage("training", "ml.m5.large", 1, "Hours")])
    assert caught.value.operation == "costs.estimate" and "no price list" in str(caught.value)


def test_unknown_capability_name() -> None:
    with pytest.raises(ValueError, match="unknown capability"):
        Tiny().service("telepathy")
    with pytest.raises(ValueError, match="unknown capability"):
        Tiny().offers("telepathy")


def test_a_factory_building_the_wrong_class_is_refused() -> None:
    class Confused(Tiny):
        def capabilities(self) -> Capabilities:
            return Capabilities(vision=self._costs)  # type: ignore[arg-type]  # what this test is about

    with pytest.raises(TypeError, match="vision factory built a TinyCosts, not a VisionService"):
        _ = Confused().vision


def test_unsupported_keys_that_name_no_operation_are_reported() -> None:
    class Sloppy(TinyCosts):
        unsupported = {"costs.forecast": "no forecasts", "vision.detect_labels": "elsewhere"}

    class SloppyProvider(Tiny):
        def capabilities(self) -> Capabilities:
            return Capabilities(costs=lambda: Sloppy(self.name))

    problems = unsupported_key_problems(SloppyProvider())
    assert [p.split(":")[0] for p in problems] == ["costs.forecast", "vision.detect_labels"]


def test_operations_are_the_contract_methods() -> None:
    assert CostService.operations() == {"estimate"}
    assert VisionService.operations() == {"detect_labels", "detect_faces", "detect_text", "image_properties"}
    assert TinyCosts.operations() == CostService.operations()
