"""CloudTranslation: Cloud Translation v3 (``translateText``, ``detectLanguage``, supported languages).

Translation v3 calls name a parent, ``projects/{project}/locations/{location}`` (``global`` for the general
model). Google translates between any two of its supported languages, so :meth:`language_pairs` is every
ordered pair of a source and a target language the service lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from multi_cloud.core.base import TranslationService
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import DetectedLanguage, Translation

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import google_client

ENGINE = "cloud-translation-v3"


class CloudTranslation(TranslationService):
    """Translation v3 behind :class:`~multi_cloud.core.base.TranslationService`."""

    def __init__(
        self, provider: str = "gcp", settings: Settings | None = None, *, location: str = "global"
    ) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.parent = f"projects/{self.settings.gcp.project}/locations/{location}"

    @property
    def client(self) -> Any:
        """The official ``translate_v3.TranslationServiceClient``."""
        return google_client("translate", self.settings)

    def translate_texts(self, texts: Sequence[str], *, target: str, source: str = "") -> list[Translation]:
        """Translate several texts in one request (each keeps its own detected language)."""
        request: dict[str, Any] = {
            "parent": self.parent,
            "contents": list(texts),
            "target_language_code": target,
            "mime_type": "text/plain",
        }
        if source:
            request["source_language_code"] = source
        with google_errors("translation.translate"):
            response = self.client.translate_text(request=request)
        return [
            Translation(
                text=item.translated_text,
                source_language=source or item.detected_language_code,
                target_language=target,
                engine=ENGINE,
            )
            for item in response.translations
        ]

    def translate(self, text: str, *, target: str, source: str = "") -> Translation:
        if not isinstance(text, str) or not text.strip():  # Google returns "" for "": the contract refuses it
            raise InvalidArgument("text is empty; send at least one word", provider=self.provider)
        return self.translate_texts([text], target=target, source=source)[0]

    def detect(self, text: str) -> list[DetectedLanguage]:
        """``detectLanguage``: candidate languages with confidence, most likely first."""
        with google_errors("translation.detect"):
            response = self.client.detect_language(parent=self.parent, content=text, mime_type="text/plain")
        return [
            DetectedLanguage(code=c.language_code, confidence=round(c.confidence, 6))
            for c in response.languages
        ]

    def supported_languages(self) -> list[Any]:
        """The ``SupportedLanguage`` messages (code, usable as source, usable as target)."""
        with google_errors("translation.supported_languages"):
            return list(self.client.get_supported_languages(parent=self.parent).languages)

    def language_pairs(self) -> list[tuple[str, str]]:
        languages = self.supported_languages()
        sources = [lang.language_code for lang in languages if lang.support_source]
        targets = [lang.language_code for lang in languages if lang.support_target]
        return [(source, target) for source in sources for target in targets if source != target]
