"""Conformance tests for the provider contract itself: typed services and honest ``unsupported`` keys."""

from __future__ import annotations

import pytest

from multi_cloud.core.base import CAPABILITIES, CloudProvider
from multi_cloud.core.capabilities import CAPABILITY_CLASSES
from multi_cloud.core.errors import Unsupported


def unsupported_key_problems(provider: CloudProvider) -> list[str]:
    """Every ``unsupported`` key that does not name a real operation, with what is wrong with it."""
    problems: list[str] = []
    for capability in CAPABILITIES:
        if not provider.offers(capability):
            continue
        service = provider.service(capability)
        operations = CAPABILITY_CLASSES[capability].operations()
        for key in service.unsupported:
            owner, _, operation = key.partition(".")
            if owner != capability:
                problems.append(f"{key}: declared by the {capability} service, not {owner or '?'}")
            elif operation not in operations:
                problems.append(
                    f"{key}: {capability} has no operation {operation!r} ({', '.join(sorted(operations))})"
                )
    return problems


class ContractConformance:
    """Mix in and provide a ``provider`` fixture."""

    def test_unsupported_keys_name_real_operations(self, provider: CloudProvider) -> None:
        assert unsupported_key_problems(provider) == []

    def test_each_offered_service_is_its_capability_class_and_built_once(
        self, provider: CloudProvider
    ) -> None:
        offered = [name for name in CAPABILITIES if provider.offers(name)]
        assert offered, "a provider offers at least one capability"
        for name in offered:
            service = provider.service(name)
            assert isinstance(service, CAPABILITY_CLASSES[name])
            assert service is getattr(provider, name) and service.provider == provider.name

    def test_capabilities_not_offered_are_declared_and_refused(self, provider: CloudProvider) -> None:
        for name in CAPABILITIES:
            if provider.offers(name):
                continue
            assert name in provider.unsupported
            with pytest.raises(Unsupported):
                provider.service(name)
