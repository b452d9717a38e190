"""AzureLanguage: Azure AI Language (``TextAnalyticsClient``): sentiment, language, key phrases and PII.

Each call sends one document; a document the service refuses (its ``is_error`` result) becomes an
InvalidArgument carrying the service's ``innererror`` code (``InvalidDocument``, ``UnsupportedLanguageCode``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from multi_cloud.core.base import LanguageService
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import DetectedLanguage, Entity, KeyPhrase, PiiEntity, Sentiment
from multi_cloud.local_cloud.limits import declared_limits

from azure_ai_services.clients import ai_client
from azure_ai_services.errors import azure_errors

if TYPE_CHECKING:  # pragma: no cover
    from azure.ai.textanalytics import TextAnalyticsClient

#: the service's PII categories as the core's types
PII_TYPES = {
    "Email": "EMAIL",
    "PhoneNumber": "PHONE",
    "CreditCardNumber": "CREDIT_DEBIT_NUMBER",
    "IPAddress": "IP_ADDRESS",
    "USSocialSecurityNumber": "SSN",
}
#: the emulator backend whose declared limits apply in local mode
EMULATOR = "azure"


class AzureLanguage(LanguageService):
    """Key phrases carry no score from Azure: each is located in the text and given score 1.0.

    In local mode the emulator's declared limits (named entities) are unsupported; in cloud mode none are.
    """

    def __init__(self, provider: str, settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.unsupported = {
            key: reason
            for key, reason in declared_limits([EMULATOR], self.settings).items()
            if key.startswith("language.")
        }

    @cached_property
    def client(self) -> TextAnalyticsClient:
        from azure.ai.textanalytics import TextAnalyticsClient

        return ai_client(TextAnalyticsClient, self.settings)

    def _one(self, operation: str, call: Callable[..., list[Any]], text: str, **options: Any) -> Any:
        with azure_errors(f"language.{operation}"):
            result = call([text], **options)[0]
        if result.is_error:
            raise InvalidArgument(
                result.error.message,
                provider=self.provider,
                operation=f"language.{operation}",
                code=result.error.code,
            )
        return result

    def sentiment(self, text: str, *, language: str = "en") -> Sentiment:
        result = self._one("sentiment", self.client.analyze_sentiment, text, language=language)
        scores = result.confidence_scores
        return Sentiment(
            label=result.sentiment.upper(),
            scores={
                "POSITIVE": scores.positive,
                "NEUTRAL": scores.neutral,
                "NEGATIVE": scores.negative,
                "MIXED": 0.0,
            },
        )

    def detect_language(self, text: str) -> list[DetectedLanguage]:
        result = self._one("detect_language", self.client.detect_language, text)
        found = result.primary_language
        return [DetectedLanguage(code=found.iso6391_name, confidence=found.confidence_score)]

    def key_phrases(self, text: str, *, language: str = "en") -> list[KeyPhrase]:
        result = self._one("key_phrases", self.client.extract_key_phrases, text, language=language)
        phrases = []
        lowered = text.lower()
        for phrase in result.key_phrases:
            begin = lowered.find(phrase.lower())
            if begin >= 0:
                end = begin + len(phrase)
                phrases.append(KeyPhrase(text=text[begin:end], score=1.0, begin=begin, end=end))
        return phrases

    def entities(self, text: str, *, language: str = "en") -> list[Entity]:
        if "language.entities" in self.unsupported:
            raise self._unsupported("entities")
        result = self._one("entities", self.client.recognize_entities, text, language=language)
        return [
            Entity(
                text=entity.text,
                type=entity.category,
                score=entity.confidence_score,
                begin=entity.offset,
                end=entity.offset + entity.length,
            )
            for entity in result.entities
        ]

    def pii(self, text: str, *, language: str = "en") -> list[PiiEntity]:
        result = self._one("pii", self.client.recognize_pii_entities, text, language=language)
        return [
            PiiEntity(
                type=PII_TYPES.get(entity.category, entity.category),
                text=entity.text,
                score=entity.confidence_score,
                begin=entity.offset,
                end=entity.offset + entity.length,
            )
            for entity in result.entities
        ]
