"""Translation v3 over the wire with the plain TranslationServiceClient; the translation conformance suite."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions as gx
from google.cloud import translate_v3
from multi_cloud.testing.conformance.translation import TranslationConformance
from multi_cloud.testing.engines import require_binary

from .conftest import status_of

PARENT = "projects/cloudai-local/locations/global"


@pytest.fixture(autouse=True)
def apertium() -> None:
    require_binary("apertium", "apertium apertium-en-es")


class TestCloudTranslationConformance(TranslationConformance):
    """The portable translation contract, through CloudTranslation and the emulator."""


@pytest.fixture
def client(endpoint: dict[str, Any]) -> Any:
    return translate_v3.TranslationServiceClient(**endpoint)


def test_translate_text_with_and_without_a_source(client: Any) -> None:
    response = client.translate_text(
        parent=PARENT, contents=["The cat is sleeping.", "The dog eats bread."], target_language_code="es"
    )
    first, second = response.translations
    assert "gato" in first.translated_text.lower() and "perro" in second.translated_text.lower()
    assert first.detected_language_code == "en"
    given = client.translate_text(
        parent=PARENT, contents=["The cat"], target_language_code="es", source_language_code="en"
    )
    assert given.translations[0].detected_language_code == ""  # only reported when detected


def test_detect_language_and_supported_languages(client: Any) -> None:
    detected = client.detect_language(parent=PARENT, content="El perro juega en el parque con los niños.")
    assert detected.languages[0].language_code == "es" and detected.languages[0].confidence > 0.5
    supported = client.get_supported_languages(parent=PARENT)
    codes = {lang.language_code for lang in supported.languages}
    assert {"en", "es"} <= codes


def test_glossaries_and_custom_models_are_not_found_naming_them(client: Any) -> None:
    glossary = f"{PARENT}/glossaries/medical"
    with pytest.raises(gx.NotFound) as caught:
        client.translate_text(
            request={
                "parent": PARENT,
                "contents": ["The heart"],
                "target_language_code": "es",
                "glossary_config": {"glossary": glossary},
            }
        )
    assert status_of(caught.value) == "NOT_FOUND" and glossary in caught.value.message
    model = f"{PARENT}/models/NM123"
    with pytest.raises(gx.NotFound) as missing_model:
        client.translate_text(parent=PARENT, contents=["x"], target_language_code="es", model=model)
    assert model in missing_model.value.message


def test_bad_requests_get_googles_codes(client: Any) -> None:
    with pytest.raises(gx.BadRequest) as no_target:
        client.translate_text(parent=PARENT, contents=["Hello"], target_language_code="")
    assert status_of(no_target.value) == "INVALID_ARGUMENT"
    with pytest.raises(gx.BadRequest):
        client.translate_text(parent=PARENT, contents=[], target_language_code="es")
    with pytest.raises(gx.MethodNotImplemented) as no_pair:
        client.translate_text(
            parent=PARENT, contents=["Hello"], target_language_code="qq", source_language_code="en"
        )
    assert status_of(no_pair.value) == "UNIMPLEMENTED" and "apertium" in no_pair.value.message
