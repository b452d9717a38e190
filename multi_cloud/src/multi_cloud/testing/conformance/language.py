"""Conformance tests for LanguageService: sentiment, language, key phrases, PII, entities, bad input."""

from __future__ import annotations

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import InvalidArgument, Unsupported
from multi_cloud.testing.conformance.ai_support import engine_required

LABELS = {"POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"}
OVERSIZE_TEXT = "word " * 220_000  # 1.1 MB: above every provider's limit (Comprehend 100 KB, Google 1 MB)
PII_TEXT = (
    "Contact jane.doe@example.com or +44 20 7946 0958. Card 4111 1111 1111 1111 expires soon; "
    "the number 4111 1111 1111 1112 is a typo. Server 192.168.10.20 answered."
)


class LanguageConformance:
    """Mix in and provide a ``provider`` fixture."""

    @pytest.mark.parametrize(
        ("text", "label"),
        [
            ("I love this phone, the camera is wonderful and the battery lasts for days!", "POSITIVE"),
            ("This was the worst service I have ever had; rude staff and cold food.", "NEGATIVE"),
            ("The meeting is on Tuesday at the main office.", "NEUTRAL"),
        ],
    )
    def test_sentiment_labels_and_scores(self, provider: CloudProvider, text: str, label: str) -> None:
        with engine_required():
            result = provider.language.sentiment(text)
        assert result.label == label
        assert set(result.scores) == LABELS
        assert all(0 <= score <= 1 for score in result.scores.values())
        assert abs(sum(result.scores.values()) - 1) < 0.02
        assert max(result.scores, key=lambda name: result.scores[name]) == label

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("The weather is lovely today and we are going to the beach.", "en"),
            ("Le chat dort sur la table de la cuisine depuis ce matin.", "fr"),
            ("El perro juega en el parque con los niños todas las tardes.", "es"),
        ],
    )
    def test_detects_the_language(self, provider: CloudProvider, text: str, code: str) -> None:
        with engine_required():
            candidates = provider.language.detect_language(text)
        assert candidates[0].code == code
        assert 0.5 < candidates[0].confidence <= 1
        assert [c.confidence for c in candidates] == sorted((c.confidence for c in candidates), reverse=True)

    def test_key_phrases_point_into_the_text(self, provider: CloudProvider) -> None:
        text = (
            "Amazon Rekognition and Google Cloud Vision detect faces in photographs. "
            "Face detection also runs offline with OpenCV on a laptop."
        )
        if not provider.language.supports("key_phrases"):
            with pytest.raises(Unsupported):
                provider.language.key_phrases(text)
            return
        with engine_required():
            phrases = provider.language.key_phrases(text)
        assert phrases
        for phrase in phrases:
            assert text[phrase.begin : phrase.end] == phrase.text
            assert 0 <= phrase.score <= 1
        joined = " ".join(p.text.lower() for p in phrases)
        assert "rekognition" in joined or "cloud vision" in joined

    def test_pii_types_and_offsets(self, provider: CloudProvider) -> None:
        if not provider.language.supports("pii"):
            with pytest.raises(Unsupported):
                provider.language.pii(PII_TEXT)
            return
        with engine_required():
            found = provider.language.pii(PII_TEXT)
        by_type = {(e.type, e.text) for e in found}
        assert ("EMAIL", "jane.doe@example.com") in by_type
        assert ("PHONE", "+44 20 7946 0958") in by_type
        assert ("CREDIT_DEBIT_NUMBER", "4111 1111 1111 1111") in by_type
        assert ("IP_ADDRESS", "192.168.10.20") in by_type
        assert all(e.text != "4111 1111 1111 1112" for e in found), "a non-Luhn number is not a card"
        for entity in found:
            assert PII_TEXT[entity.begin : entity.end] == entity.text
            assert 0 < entity.score <= 1

    def test_entities_or_declared_unsupported(self, provider: CloudProvider) -> None:
        text = "Grace Hopper worked for the United States Navy in Washington."
        if not provider.language.supports("entities"):
            with pytest.raises(Unsupported):
                provider.language.entities(text)
            return
        with engine_required():
            entities = provider.language.entities(text)
        assert any("Hopper" in e.text for e in entities)
        for entity in entities:
            assert text[entity.begin : entity.end] == entity.text

    def test_bad_text_is_an_invalid_argument(self, provider: CloudProvider) -> None:
        operations = [
            getattr(provider.language, name)
            for name in ("sentiment", "detect_language", "key_phrases", "pii")
            if provider.language.supports(name)
        ]
        for text in ("", "   ", OVERSIZE_TEXT):
            for operation in operations:
                with pytest.raises(InvalidArgument):
                    operation(text)

    def test_sentiment_refuses_an_unknown_language(self, provider: CloudProvider) -> None:
        with pytest.raises((InvalidArgument, Unsupported)):
            provider.language.sentiment("Das ist ein Test.", language="zz")
