"""Conformance tests for TranslationService: pairs, English <-> Spanish, detection, bad input."""

from __future__ import annotations

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import InvalidArgument, Unsupported
from multi_cloud.testing.conformance.ai_support import engine_required


def _require_pair(provider: CloudProvider, source: str, target: str) -> None:
    with engine_required():
        pairs = provider.translation.language_pairs()
    if (source, target) not in pairs:
        pytest.skip(f"provider has no {source}->{target} pair (has {pairs})")


class TranslationConformance:
    """Mix in and provide a ``provider`` fixture."""

    def test_lists_pairs_as_iso_codes(self, provider: CloudProvider) -> None:
        with engine_required():
            pairs = provider.translation.language_pairs()
        assert pairs
        for source, target in pairs:
            assert source != target
            assert 2 <= len(source.split("-")[0]) <= 3 and source.split("-")[0].islower()

    def test_english_to_spanish(self, provider: CloudProvider) -> None:
        _require_pair(provider, "en", "es")
        result = provider.translation.translate("The cat is sleeping on the table.", target="es", source="en")
        assert "gato" in result.text.lower() and "mesa" in result.text.lower()
        assert (result.source_language, result.target_language) == ("en", "es")

    def test_spanish_to_english_with_detected_source(self, provider: CloudProvider) -> None:
        _require_pair(provider, "es", "en")
        result = provider.translation.translate("El perro come pan en la casa de mi madre.", target="en")
        assert result.source_language == "es"
        assert "dog" in result.text.lower() and "bread" in result.text.lower()

    def test_bad_requests(self, provider: CloudProvider) -> None:
        with engine_required():
            provider.translation.language_pairs()
        with pytest.raises(InvalidArgument):
            provider.translation.translate("", target="es", source="en")
        with pytest.raises((InvalidArgument, Unsupported)):
            provider.translation.translate("Hello", target="not a language!", source="en")
        with pytest.raises((InvalidArgument, Unsupported)):
            provider.translation.translate("Hello", target="qq", source="en")
