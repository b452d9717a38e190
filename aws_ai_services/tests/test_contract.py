"""AWSProvider keeps the provider contract: typed services, honest unsupported keys, in both modes."""

from __future__ import annotations

from typing import Any

import pytest
from aws_ai_services.client import AWSProvider
from multi_cloud.core.settings import Settings
from multi_cloud.testing.conformance.contract import ContractConformance, unsupported_key_problems


class TestAWSContract(ContractConformance):
    @pytest.fixture
    def provider(self, clean_cloud: Any) -> AWSProvider:
        return AWSProvider()


def test_cloud_mode_declares_real_operations_too() -> None:
    provider = AWSProvider(Settings(mode="cloud"))
    assert unsupported_key_problems(provider) == []
    assert "translation" in provider.unsupported and "language.entities" not in provider.unsupported
