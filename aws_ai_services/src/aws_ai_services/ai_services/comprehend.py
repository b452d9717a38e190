"""ComprehendClient: sentiment, entities, key phrases, dominant language and PII with Amazon Comprehend.

Single-document calls take up to 5 KB (sentiment) or 100 KB (the others) of UTF-8; batch calls take up to
25 documents of 5 KB each and return one result per document, ``None`` where Comprehend reported an error
for that document. Offsets are character offsets into the text, so ``text[begin:end]`` is the span.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import DetectedLanguage, Entity, KeyPhrase, PiiEntity, Sentiment

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

BATCH_LIMIT = 25
_SCORE_KEYS = {"Positive": "POSITIVE", "Negative": "NEGATIVE", "Neutral": "NEUTRAL", "Mixed": "MIXED"}


def to_sentiment(answer: dict[str, Any]) -> Sentiment:
    scores = {label: float(answer["SentimentScore"][key]) for key, label in _SCORE_KEYS.items()}
    return Sentiment(label=answer["Sentiment"], scores=scores)


def to_languages(answer: dict[str, Any]) -> list[DetectedLanguage]:
    found = [
        DetectedLanguage(code=item["LanguageCode"], confidence=float(item["Score"]))
        for item in answer["Languages"]
    ]
    return sorted(found, key=lambda language: -language.confidence)


def to_key_phrases(answer: dict[str, Any]) -> list[KeyPhrase]:
    return [
        KeyPhrase(text=p["Text"], score=float(p["Score"]), begin=p["BeginOffset"], end=p["EndOffset"])
        for p in answer["KeyPhrases"]
    ]


def to_entities(answer: dict[str, Any]) -> list[Entity]:
    return [
        Entity(
            text=e["Text"],
            type=e["Type"],
            score=float(e["Score"]),
            begin=e["BeginOffset"],
            end=e["EndOffset"],
        )
        for e in answer["Entities"]
    ]


class ComprehendClient:
    """Amazon Comprehend's real-time APIs; every method maps AWS errors to :mod:`multi_cloud.core.errors`."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("comprehend")

    # ------------------------------------------------------------------ one document
    def sentiment(self, text: str, *, language: str = "en") -> Sentiment:
        with aws_errors("language.sentiment"):
            return to_sentiment(self.client.detect_sentiment(Text=text, LanguageCode=language))

    def dominant_language(self, text: str) -> list[DetectedLanguage]:
        """Candidate languages, most likely first."""
        with aws_errors("language.detect_language"):
            return to_languages(self.client.detect_dominant_language(Text=text))

    def key_phrases(self, text: str, *, language: str = "en") -> list[KeyPhrase]:
        with aws_errors("language.key_phrases"):
            return to_key_phrases(self.client.detect_key_phrases(Text=text, LanguageCode=language))

    def entities(self, text: str, *, language: str = "en") -> list[Entity]:
        with aws_errors("language.entities"):
            return to_entities(self.client.detect_entities(Text=text, LanguageCode=language))

    def pii(self, text: str, *, language: str = "en") -> list[PiiEntity]:
        """PII spans (EMAIL, PHONE, CREDIT_DEBIT_NUMBER...), with their text cut from ``text``."""
        with aws_errors("language.pii"):
            answer = self.client.detect_pii_entities(Text=text, LanguageCode=language)
        return [
            PiiEntity(
                type=e["Type"],
                text=text[e["BeginOffset"] : e["EndOffset"]],
                score=float(e["Score"]),
                begin=e["BeginOffset"],
                end=e["EndOffset"],
            )
            for e in answer["Entities"]
        ]

    def contains_pii(self, text: str, *, language: str = "en") -> dict[str, float]:
        """PII type -> score for the types present (ContainsPiiEntities: no offsets, cheaper)."""
        with aws_errors("language.contains_pii"):
            answer = self.client.contains_pii_entities(Text=text, LanguageCode=language)
        return {label["Name"]: float(label["Score"]) for label in answer["Labels"]}

    # ------------------------------------------------------------------ batches
    def batch_sentiment(self, texts: Sequence[str], *, language: str = "en") -> list[Sentiment | None]:
        return self._batch("batch_detect_sentiment", texts, to_sentiment, LanguageCode=language)

    def batch_dominant_language(self, texts: Sequence[str]) -> list[list[DetectedLanguage] | None]:
        return self._batch("batch_detect_dominant_language", texts, to_languages)

    def batch_key_phrases(
        self, texts: Sequence[str], *, language: str = "en"
    ) -> list[list[KeyPhrase] | None]:
        return self._batch("batch_detect_key_phrases", texts, to_key_phrases, LanguageCode=language)

    def batch_entities(self, texts: Sequence[str], *, language: str = "en") -> list[list[Entity] | None]:
        return self._batch("batch_detect_entities", texts, to_entities, LanguageCode=language)

    def _batch(self, operation: str, texts: Sequence[str], convert: Any, **arguments: Any) -> list[Any]:
        """Results in input order, ``BATCH_LIMIT`` documents per request; ``None`` for a failed document."""
        results: list[Any] = [None] * len(texts)
        for start in range(0, len(texts), BATCH_LIMIT):
            chunk = list(texts[start : start + BATCH_LIMIT])
            with aws_errors(f"language.{operation}"):
                answer = getattr(self.client, operation)(TextList=chunk, **arguments)
            for item in answer["ResultList"]:
                results[start + item["Index"]] = convert(item)
        return results
