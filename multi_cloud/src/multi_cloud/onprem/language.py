"""OnPremLanguage: sentiment (VADER), language (langdetect), key phrases (YAKE), PII (validated patterns)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from multi_cloud.core.base import LanguageService
from multi_cloud.core.errors import InvalidArgument, mapped_errors
from multi_cloud.core.types import DetectedLanguage, Entity, KeyPhrase, PiiEntity, Sentiment
from multi_cloud.onprem.engines.engine_imports import import_engine
from multi_cloud.onprem.engines.text_input import MAX_TEXT_BYTES, base_language, require_text

LANGDETECT_INSTALL = "pip install langdetect"
LANGDETECT_SEED = 0
ENTITIES_REASON = (
    "no trustworthy offline named-entity model installs from PyPI: spaCy's official models are published "
    "on GitHub releases, not PyPI (the PyPI copies are third-party re-uploads), and flair/stanza/GLiNER "
    "download their weights from a model hub at run time"
)

_langdetect_lock = threading.Lock()  # langdetect's seeded factory is module-global state


class OnPremLanguage(LanguageService):
    """Text up to ``text_input.MAX_TEXT_BYTES`` UTF-8 bytes; empty text is an InvalidArgument."""

    unsupported = {"language.entities": ENTITIES_REASON}
    max_text_bytes = MAX_TEXT_BYTES

    @contextmanager
    def _operation(self, name: str) -> Iterator[None]:
        with mapped_errors(self.provider, f"language.{name}", lambda _exc: None):
            yield

    def sentiment(self, text: str, *, language: str = "en") -> Sentiment:
        """POSITIVE / NEGATIVE / NEUTRAL / MIXED from VADER (English only); see ``onprem.sentiment``."""
        from multi_cloud.onprem.engines.sentiment import SENTIMENT_LANGUAGES, analyse

        with self._operation("sentiment"):
            require_text(text)
            if base_language(language) not in SENTIMENT_LANGUAGES:
                raise InvalidArgument(
                    f"sentiment supports only {', '.join(SENTIMENT_LANGUAGES)} (VADER is English-only), "
                    f"not {language!r}; translate the text to English first"
                )
            return analyse(text)

    def detect_language(self, text: str) -> list[DetectedLanguage]:
        """langdetect's candidates (probability > 0.1), most likely first; seeded, so results repeat."""
        with self._operation("detect_language"):
            require_text(text)
            detector = import_engine("langdetect", LANGDETECT_INSTALL, purpose="language detection")
            with _langdetect_lock:
                detector.DetectorFactory.seed = LANGDETECT_SEED
                try:
                    candidates = detector.detect_langs(text)
                except detector.LangDetectException as exc:
                    raise InvalidArgument(
                        f"cannot detect a language: the text has no letters to judge by ({exc})"
                    ) from exc
            return [
                DetectedLanguage(code=_iso_code(c.lang), confidence=round(float(c.prob), 6))
                for c in candidates
            ]

    def key_phrases(self, text: str, *, language: str = "en") -> list[KeyPhrase]:
        """YAKE key phrases, most relevant first, with offsets; see ``onprem.key_phrases``."""
        from multi_cloud.onprem.engines.key_phrases import extract

        with self._operation("key_phrases"):
            require_text(text)
            return extract(text, base_language(language))

    def entities(self, text: str, *, language: str = "en") -> list[Entity]:
        raise self._unsupported("entities")

    def pii(self, text: str, *, language: str = "en") -> list[PiiEntity]:
        """EMAIL, PHONE, CREDIT_DEBIT_NUMBER (Luhn), SSN, IP_ADDRESS with offsets; see ``onprem.pii``."""
        from multi_cloud.onprem.engines.pii import find_pii

        with self._operation("pii"):
            require_text(text)
            base_language(language)
            return find_pii(text)


def _iso_code(langdetect_code: str) -> str:
    """langdetect's codes as ISO 639-1 (``zh-cn`` -> ``zh``, ``zh-tw`` -> ``zh-TW``)."""
    if langdetect_code == "zh-cn":
        return "zh"
    if langdetect_code == "zh-tw":
        return "zh-TW"
    return langdetect_code
