"""AWSLanguage: the portable LanguageService over Amazon Comprehend."""

from __future__ import annotations

from multi_cloud.core.base import LanguageService
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import DetectedLanguage, Entity, KeyPhrase, PiiEntity, Sentiment
from multi_cloud.local_cloud.limits import declared_limits

from aws_ai_services.ai_services.comprehend import ComprehendClient

#: the local cloud's backend that answers Comprehend (its declared limits apply when it is the endpoint)
AI_BACKEND = "aws-ai"


class AWSLanguage(LanguageService):
    """Comprehend behind :class:`~multi_cloud.core.base.LanguageService`."""

    def __init__(self, provider: str, settings: Settings | None = None) -> None:
        super().__init__(provider)
        settings = settings or get_settings()
        self.comprehend = ComprehendClient(settings)
        self.unsupported = {
            key: reason
            for key, reason in declared_limits([AI_BACKEND], settings).items()
            if key.startswith("language.")
        }

    def sentiment(self, text: str, *, language: str = "en") -> Sentiment:
        return self.comprehend.sentiment(text, language=language)

    def detect_language(self, text: str) -> list[DetectedLanguage]:
        return self.comprehend.dominant_language(text)

    def key_phrases(self, text: str, *, language: str = "en") -> list[KeyPhrase]:
        return self.comprehend.key_phrases(text, language=language)

    def entities(self, text: str, *, language: str = "en") -> list[Entity]:
        return self.comprehend.entities(text, language=language)

    def pii(self, text: str, *, language: str = "en") -> list[PiiEntity]:
        return self.comprehend.pii(text, language=language)
