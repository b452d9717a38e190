"""On-premises translation: the shared conformance suite plus apertium specifics."""

from __future__ import annotations

from pathlib import Path

import pytest
from multi_cloud.core.errors import InvalidArgument, MissingDependency, Unsupported
from multi_cloud.onprem.engines.language_codes import to_iso1
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.onprem.translation import MAX_TRANSLATION_BYTES, OnPremTranslation, parse_modes
from multi_cloud.testing.conformance.translation import TranslationConformance
from multi_cloud.testing.engines import require_binary


class TestOnPremTranslation(TranslationConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> OnPremProvider:
        require_binary("apertium", "apertium apertium-en-es")
        return OnPremProvider(root=tmp_path)


@pytest.fixture(scope="module")
def translation() -> OnPremTranslation:
    require_binary("apertium", "apertium apertium-en-es")
    return OnPremTranslation("onprem")


def test_modes_map_to_iso_codes() -> None:
    listing = "  eng-spa\n  spa-eng\n  spa-eng_US\n  en-ca\n  spa-tagger\n"
    pairs = [(p.mode, p.source, p.target) for p in parse_modes(listing)]
    assert pairs == [
        ("eng-spa", "en", "es"),
        ("spa-eng", "es", "en"),
        ("spa-eng_US", "es", "en-US"),
        ("en-ca", "en", "ca"),
    ]
    assert to_iso1("fra") == "fr" and to_iso1("hbs") == "sh" and to_iso1("ast") == "ast"


def test_installed_pairs_include_english_spanish(translation: OnPremTranslation) -> None:
    assert {("en", "es"), ("es", "en")} <= set(translation.language_pairs())


def test_unknown_words_are_unmarked_unless_asked(translation: OnPremTranslation) -> None:
    text = "The Zorblax cat sleeps."
    plain = translation.translate(text, target="es", source="en")
    marked = translation.translate(text, target="es", source="en", mark_unknown=True)
    assert "*" not in plain.text and "Zorblax" in plain.text and "gato" in plain.text
    assert "*Zorblax" in marked.text
    assert plain.engine == "apertium eng-spa"


def test_regional_variant_is_reached_with_the_region(translation: OnPremTranslation) -> None:
    result = translation.translate("El gato come.", target="en-US", source="es")
    assert result.engine == "apertium spa-eng_US" and result.target_language == "en-US"
    assert translation.translate("El gato come.", target="en-GB", source="es").engine == "apertium spa-eng"


def test_same_language_is_returned_unchanged(translation: OnPremTranslation) -> None:
    result = translation.translate("Hello there", target="en-GB", source="en")
    assert (result.text, result.engine) == ("Hello there", "identity")


def test_unknown_pair_names_installed_pairs_and_the_package(translation: OnPremTranslation) -> None:
    with pytest.raises(
        Unsupported, match=r"installed: .*en->es.*apt-get install -y apertium-en-fr"
    ) as caught:
        translation.translate("Hello", target="fr", source="en")
    assert caught.value.operation == "translation.translate"


def test_line_structure_is_kept(translation: OnPremTranslation) -> None:
    result = translation.translate("The dog.\nThe house.\n", target="es", source="en")
    assert result.text.count("\n") == 2 and result.text.endswith("\n")
    assert not translation.translate("The dog.", target="es", source="en").text.endswith("\n")


def test_limits_and_codes(translation: OnPremTranslation) -> None:
    with pytest.raises(InvalidArgument, match="30,000-byte limit"):
        translation.translate("a" * (MAX_TRANSLATION_BYTES + 1), target="es", source="en")
    with pytest.raises(InvalidArgument, match="target language is required"):
        translation.translate("Hello", target="", source="en")
    with pytest.raises(InvalidArgument, match="ISO 639-1"):
        translation.translate("Hello", target="es", source="English")


def test_missing_apertium_names_the_install_command(
    translation: OnPremTranslation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingDependency, match="apt-get install -y apertium apertium-en-es"):
        translation.language_pairs()
