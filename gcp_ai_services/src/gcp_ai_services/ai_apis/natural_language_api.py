"""CloudNaturalLanguage: sentiment and entities with ``LanguageServiceClient``; detection with Translation.

Natural Language scores sentiment as ``score`` (-1..1, the direction) and ``magnitude`` (0..inf, how much
emotion in all). The portable :class:`~multi_cloud.core.types.Sentiment` asks for four label scores, derived
here from those two (:func:`label_scores`). Google detects a text's language with the Translation API's
``detectLanguage``, so :meth:`CloudNaturalLanguage.detect_language` calls that. Natural Language has no
key-phrase or PII method: those are declared unsupported with the reason.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.base import LanguageService
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import DetectedLanguage, Entity, KeyPhrase, PiiEntity, Sentiment
from multi_cloud.local_cloud.limits import declared_limits

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import google_client

#: the local cloud's backend that answers the Google APIs (its declared limits apply in local mode)
AI_BACKEND = "gcp"
PLAIN_TEXT = 1  # Document.Type.PLAIN_TEXT
UTF32 = 3  # EncodingType.UTF32: offsets count code points, as Python's str indices do
NOT_IN_THE_API = {
    "language.key_phrases": "Natural Language has no key-phrase method (analyzeEntities with salience is "
    "its nearest: see entities())",
    "language.pii": "Google finds personal data with Sensitive Data Protection (Cloud DLP), "
    "which this package does not wrap yet",
}


def label_scores(score: float, magnitude: float, sentences: int) -> dict[str, float]:
    """Four label scores summing to 1 from Natural Language's ``score`` and ``magnitude``.

    The direction ``|score|`` goes to POSITIVE or NEGATIVE; the rest is NEUTRAL or MIXED by how much
    emotion each sentence carries on average (``magnitude / sentences``, capped at 1): strong feelings that
    cancel out are MIXED, no feeling is NEUTRAL.
    """
    direction = min(1.0, abs(score))
    emotion = min(1.0, magnitude / max(1, sentences))
    undirected = 1.0 - direction
    return {
        "POSITIVE": direction if score > 0 else 0.0,
        "NEGATIVE": direction if score < 0 else 0.0,
        "NEUTRAL": round(undirected * (1.0 - emotion), 6),
        "MIXED": round(undirected * emotion, 6),
    }


class CloudNaturalLanguage(LanguageService):
    """Natural Language (+ Translation's detection) behind :class:`~multi_cloud.core.base.LanguageService`."""

    def __init__(self, provider: str = "gcp", settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        local_limits = declared_limits([AI_BACKEND], self.settings)
        self.unsupported = {
            **NOT_IN_THE_API,
            **{key: reason for key, reason in local_limits.items() if key.startswith("language.")},
        }

    @property
    def client(self) -> Any:
        """The official ``language_v1.LanguageServiceClient``."""
        return google_client("language", self.settings)

    def analyze_sentiment(self, text: str, *, language: str = "") -> Any:
        """The ``AnalyzeSentimentResponse``: document and per-sentence score and magnitude."""
        document: dict[str, Any] = {"content": text, "type_": PLAIN_TEXT}
        if language:
            document["language"] = language
        with google_errors("language.analyze_sentiment"):
            return self.client.analyze_sentiment(document=document, encoding_type=UTF32)

    def sentiment(self, text: str, *, language: str = "en") -> Sentiment:
        response = self.analyze_sentiment(text, language=language)
        found = response.document_sentiment
        scores = label_scores(found.score, found.magnitude, len(response.sentences))
        label = max(scores, key=lambda name: scores[name])
        return Sentiment(label=label, scores=scores)  # type: ignore[arg-type]

    def detect_language(self, text: str) -> list[DetectedLanguage]:
        """Translation's ``detectLanguage`` candidates, most likely first."""
        parent = f"projects/{self.settings.gcp.project}/locations/global"
        with google_errors("language.detect_language"):
            response = google_client("translate", self.settings).detect_language(parent=parent, content=text)
        found = [
            DetectedLanguage(code=c.language_code, confidence=round(c.confidence, 6))
            for c in response.languages
        ]
        return sorted(found, key=lambda candidate: candidate.confidence, reverse=True)

    def entities(self, text: str, *, language: str = "en") -> list[Entity]:
        """Every mention of every entity ``analyzeEntities`` finds; ``score`` is the entity's salience."""
        if not self.supports("entities"):
            raise self._unsupported("entities")
        document = {"content": text, "type_": PLAIN_TEXT, "language": language}
        with google_errors("language.entities"):
            response = self.client.analyze_entities(document=document, encoding_type=UTF32)
        return [
            Entity(
                text=mention.text.content,
                type=entity.type_.name,
                score=round(entity.salience, 6),
                begin=mention.text.begin_offset,
                end=mention.text.begin_offset + len(mention.text.content),
            )
            for entity in response.entities
            for mention in entity.mentions
        ]

    def key_phrases(self, text: str, *, language: str = "en") -> list[KeyPhrase]:
        raise self._unsupported("key_phrases")

    def pii(self, text: str, *, language: str = "en") -> list[PiiEntity]:
        raise self._unsupported("pii")
