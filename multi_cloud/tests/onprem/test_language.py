"""On-premises language: the shared conformance suite plus the documented mappings and limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from multi_cloud.core.errors import InvalidArgument, Unsupported
from multi_cloud.onprem.engines.key_phrases import locate, relevance
from multi_cloud.onprem.engines.sentiment import scores_from_vader
from multi_cloud.onprem.engines.text_input import MAX_TEXT_BYTES
from multi_cloud.onprem.language import OnPremLanguage
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.testing.conformance.language import LanguageConformance


class TestOnPremLanguage(LanguageConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> OnPremProvider:
        return OnPremProvider(root=tmp_path)


@pytest.fixture(scope="module")
def language() -> OnPremLanguage:
    return OnPremLanguage("onprem")


# ----------------------------------------------------------------------------- sentiment
def test_mixed_text_is_mixed(language: OnPremLanguage) -> None:
    result = language.sentiment("The food was great but the service was terrible.")
    assert result.label == "MIXED"
    assert result.scores["MIXED"] > 0.5


def test_neutral_threshold_is_vaders() -> None:
    at_threshold = scores_from_vader(pos=0.1, neu=0.9, neg=0.0, compound=0.05)
    assert at_threshold["NEUTRAL"] == pytest.approx(0.5, abs=1e-3)
    assert at_threshold["POSITIVE"] == pytest.approx(0.5, abs=1e-3)
    below = scores_from_vader(pos=0.1, neu=0.9, neg=0.0, compound=0.04)
    assert max(below, key=below.__getitem__) == "NEUTRAL"
    above = scores_from_vader(pos=0.1, neu=0.9, neg=0.0, compound=-0.06)
    assert max(above, key=above.__getitem__) == "NEGATIVE"


def test_scores_always_sum_to_one() -> None:
    for pos, neg, compound in [(0.0, 0.0, 0.0), (0.3, 0.3, -0.4), (0.6, 0.0, 0.9), (0.1, 0.5, -0.99)]:
        scores = scores_from_vader(pos=pos, neu=1 - pos - neg, neg=neg, compound=compound)
        assert sum(scores.values()) == pytest.approx(1.0)
        assert all(0 <= value <= 1 for value in scores.values())


def test_sentiment_names_the_supported_language(language: OnPremLanguage) -> None:
    with pytest.raises(InvalidArgument, match="supports only en") as caught:
        language.sentiment("Me encanta este producto.", language="es")
    assert caught.value.operation == "language.sentiment"
    assert language.sentiment("I love it", language="en-GB").label == "POSITIVE"
    with pytest.raises(InvalidArgument, match="ISO 639-1"):
        language.sentiment("I love it", language="English please")


# ----------------------------------------------------------------------------- language detection
def test_detection_is_repeatable(language: OnPremLanguage) -> None:
    ambiguous = "Hotel Restaurant Taxi"
    assert language.detect_language(ambiguous) == language.detect_language(ambiguous)


def test_chinese_uses_iso_codes(language: OnPremLanguage) -> None:
    assert language.detect_language("今天天气很好，我们去公园散步吧。")[0].code == "zh"


def test_text_without_letters_cannot_be_detected(language: OnPremLanguage) -> None:
    with pytest.raises(InvalidArgument, match="no letters"):
        language.detect_language("12345 67890 !!!")


# ----------------------------------------------------------------------------- key phrases
def test_relevance_mapping_is_documented() -> None:
    assert relevance(0.0) == 1.0
    assert relevance(0.05) == pytest.approx(0.5)
    assert relevance(0.001) > relevance(0.01) > relevance(0.1)


def test_phrases_are_located_across_line_breaks_and_case() -> None:
    text = "We run\nMachine   Learning models. machine learning is fun."
    begin, end = locate("machine learning", text) or (0, 0)
    assert text[begin:end] == "Machine   Learning"
    assert locate("earning", text) is None  # whole words only


def test_key_phrases_rank_most_relevant_first(language: OnPremLanguage) -> None:
    text = (
        "Kubernetes schedules containers. Kubernetes clusters run on premises and in the cloud; "
        "a Kubernetes operator manages the containers."
    )
    phrases = language.key_phrases(text)
    assert [p.score for p in phrases] == sorted((p.score for p in phrases), reverse=True)
    assert "kubernetes" in phrases[0].text.lower()
    assert all(0 < p.score <= 1 for p in phrases)


# ----------------------------------------------------------------------------- entities, limits
def test_entities_are_declared_unsupported_with_the_reason(language: OnPremLanguage) -> None:
    assert not language.supports("entities")
    with pytest.raises(Unsupported, match="spaCy") as caught:
        language.entities("Grace Hopper")
    assert caught.value.operation == "language.entities"


def test_byte_limit_is_exact(language: OnPremLanguage) -> None:
    assert MAX_TEXT_BYTES == 100_000
    at_limit = "a" * (MAX_TEXT_BYTES - 2) + "é"  # é is two UTF-8 bytes
    assert language.pii(at_limit) == []
    with pytest.raises(InvalidArgument, match="100,001 UTF-8 bytes"):
        language.pii(at_limit + "a")


def test_non_strings_are_invalid(language: OnPremLanguage) -> None:
    with pytest.raises(InvalidArgument, match="must be a string"):
        language.sentiment(b"bytes")  # type: ignore[arg-type]
