"""Key phrases with YAKE, with a 0..1 relevance and character offsets into the original text.

YAKE scores phrases from 0 upwards, lower = more relevant. The relevance reported is
``1 / (1 + 20 * yake_score)``: 0 -> 1.0, 0.05 -> 0.5, 0.5 -> 0.09. Phrases are returned most relevant
first, each at its first occurrence in the text (matched case-insensitively, any whitespace between words).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from multi_cloud.core.types import KeyPhrase
from multi_cloud.onprem.engines.engine_imports import import_engine

YAKE_INSTALL = "pip install yake"
MAX_PHRASE_WORDS = 3
MAX_PHRASES = 20
DEDUPLICATION_LIMIT = 0.7
RELEVANCE_SCALE = 20.0


@lru_cache(maxsize=32)
def _extractor(language: str, top: int) -> Any:
    yake = import_engine("yake", YAKE_INSTALL, purpose="key phrases")
    return yake.KeywordExtractor(lan=language, n=MAX_PHRASE_WORDS, dedupLim=DEDUPLICATION_LIMIT, top=top)


def relevance(yake_score: float) -> float:
    return 1.0 / (1.0 + RELEVANCE_SCALE * max(float(yake_score), 0.0))


def locate(phrase: str, text: str) -> tuple[int, int] | None:
    """Offsets of the first case-insensitive occurrence of ``phrase``'s words in ``text``."""
    words = phrase.split()
    if not words:
        return None
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words) + r"(?!\w)"
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def extract(text: str, language: str, *, max_phrases: int = MAX_PHRASES) -> list[KeyPhrase]:
    phrases = []
    for phrase, score in _extractor(language, max_phrases).extract_keywords(text):
        span = locate(phrase, text)
        if span is None:
            continue
        begin, end = span
        phrases.append(
            KeyPhrase(text=text[begin:end], score=round(relevance(score), 6), begin=begin, end=end)
        )
    return sorted(phrases, key=lambda p: (-p.score, p.begin))
