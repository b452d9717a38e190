"""AzureProvider opts into the conformance suite for storage, vision, language, speech, translation."""

from __future__ import annotations

from typing import Any

import pytest
from azure_ai_services.client import AzureProvider
from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import Unsupported
from multi_cloud.testing.conformance import media
from multi_cloud.testing.conformance.contract import ContractConformance
from multi_cloud.testing.conformance.language import LanguageConformance
from multi_cloud.testing.conformance.speech import SpeechConformance
from multi_cloud.testing.conformance.storage import StorageConformance
from multi_cloud.testing.conformance.translation import TranslationConformance
from multi_cloud.testing.conformance.vision import VisionConformance
from multi_cloud.testing.engines import require_binary


@pytest.fixture
def provider(azure_env: dict[str, str]) -> AzureProvider:
    return AzureProvider()


class TestAzureContract(ContractConformance):
    def test_every_portable_capability_is_offered(self, provider: CloudProvider) -> None:
        for capability in ("models", "functions", "events"):
            assert capability not in provider.unsupported


class TestAzureStorage(StorageConformance):
    pass


class TestAzureLanguage(LanguageConformance):
    pass


class TestAzureSpeech(SpeechConformance):
    pass


class TestAzureTranslation(TranslationConformance):
    @pytest.fixture(autouse=True)
    def _apertium(self) -> None:
        require_binary("apertium", "apertium apertium-eng-spa")


class TestAzureVision(VisionConformance):
    """Computer Vision names colours but measures no pixel fractions, brightness or sharpness: the
    image-properties checks become checks that the operation is declared and refused."""

    def test_dominant_colours_follow_the_pixels(self, provider: CloudProvider) -> None:
        assert not provider.vision.supports("image_properties")
        with pytest.raises(Unsupported, match="names colours"):
            provider.vision.image_properties(media.portrait_jpeg())

    def test_brightness_and_sharpness_are_measured(self, provider: CloudProvider) -> None:
        assert "vision.image_properties" in provider.unsupported

    def test_bad_images_are_invalid_arguments(self, provider: CloudProvider) -> None:
        from multi_cloud.core.errors import InvalidArgument
        from multi_cloud.testing.conformance.vision import OVERSIZE_BYTES, RED

        png = media.colour_blocks_png([(RED, 1.0)])
        cases = [
            b"",
            media.PDF_BYTES,
            png[:40] + b"\x00" * 60,
            b"\xff\xd8\xff" + b"\x00" * OVERSIZE_BYTES,
            b"words",
        ]
        for data in cases:
            with pytest.raises(InvalidArgument):
                provider.vision.detect_faces(data)


def test_health_reports_both_backends(provider: AzureProvider) -> None:
    health = provider.health()
    assert health.ok, health.detail
    assert health.checks == {"blob": True, "ai-services": True}


def test_blob_uri_is_the_blob_url(provider: AzureProvider, azure_env: dict[str, Any]) -> None:
    assert provider.storage.uri("data", "a/b.csv").endswith("/devstoreaccount1/data/a/b.csv")


def test_cloud_mode_declares_only_what_is_not_built() -> None:
    from multi_cloud.core.settings import Settings
    from multi_cloud.testing.conformance.contract import unsupported_key_problems

    provider = AzureProvider(Settings(mode="cloud"))
    assert unsupported_key_problems(provider) == []
    assert "language.entities" not in provider.unsupported and "speech.dictate" not in provider.unsupported
    assert "vision.image_properties" in provider.unsupported  # a property of Azure's API, not of local mode


def test_local_mode_declares_the_emulators_limits(azure_env: dict[str, str]) -> None:
    provider = AzureProvider()
    assert "named-entity" in provider.unsupported["language.entities"]
    assert "phrases" in provider.unsupported["speech.dictate"]
