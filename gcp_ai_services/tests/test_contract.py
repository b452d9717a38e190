"""GCPProvider keeps the provider contract: typed services, honest unsupported keys, reasons for gaps."""

from __future__ import annotations

from typing import Any

import pytest
from gcp_ai_services.client import GCPProvider
from multi_cloud.core.registry import get_provider
from multi_cloud.core.settings import Settings
from multi_cloud.testing.conformance.contract import ContractConformance, unsupported_key_problems


class TestGCPContract(ContractConformance):
    @pytest.fixture
    def provider(self, clean_google: Any) -> GCPProvider:
        return GCPProvider()


def test_the_registry_builds_it() -> None:
    assert isinstance(get_provider("gcp", settings=Settings(mode="cloud")), GCPProvider)


def test_cloud_mode_declares_only_what_the_api_lacks() -> None:
    provider = GCPProvider(Settings(mode="cloud"))
    assert unsupported_key_problems(provider) == []
    assert "language.entities" not in provider.unsupported and "speech.dictate" not in provider.unsupported
    assert "language.pii" in provider.unsupported and "language.key_phrases" in provider.unsupported


def test_health_reports_both_backends(provider: GCPProvider) -> None:
    health = provider.health()
    assert health.ok, health.detail
    assert health.checks == {"storage": True, "ai-apis": True}
