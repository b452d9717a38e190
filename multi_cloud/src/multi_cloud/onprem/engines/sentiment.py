"""Sentiment with VADER, mapped to Comprehend's four labels with scores that sum to 1.

VADER gives ``pos``, ``neu``, ``neg`` (shares of the text) and ``compound`` (overall polarity, -1..1).
The mapping, in full:

* strength ``s = |compound| ** 0.2314`` — the exponent puts VADER's own neutral threshold
  (|compound| = 0.05) at s = 0.5, and keeps the order of compound values;
* balance ``b = 2 * min(pos, neg) / (pos + neg)`` (0 when the text is one-sided, 1 when positive and
  negative words weigh the same; 0 when there are none);
* NEUTRAL = 1 - s, MIXED = s * b, and s * (1 - b) goes to POSITIVE if compound > 0 else NEGATIVE
  (to the larger of pos/neg when compound is exactly 0);
* the label is the highest score.

So "I love it" is POSITIVE, "The table is wooden" NEUTRAL, and "The food was great but the service was
terrible" MIXED. VADER is an English lexicon: other languages are refused rather than guessed.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from multi_cloud.core.types import Sentiment
from multi_cloud.onprem.engines.engine_imports import import_engine

VADER_INSTALL = "pip install vaderSentiment"
SENTIMENT_LANGUAGES = ("en",)
NEUTRAL_THRESHOLD = 0.05  # VADER's documented |compound| threshold for neutral text
STRENGTH_EXPONENT = math.log(0.5) / math.log(NEUTRAL_THRESHOLD)  # ~0.2314


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    module = import_engine("vaderSentiment.vaderSentiment", VADER_INSTALL, purpose="sentiment")
    return module.SentimentIntensityAnalyzer()


def scores_from_vader(pos: float, neu: float, neg: float, compound: float) -> dict[str, float]:
    """The four label scores (summing to 1) for VADER's output; see the module docstring."""
    del neu  # the neutral share is implied by the strength of compound
    strength = abs(compound) ** STRENGTH_EXPONENT if compound else 0.0
    balance = 2 * min(pos, neg) / (pos + neg) if pos + neg > 0 else 0.0
    positive_side = compound > 0 or (compound == 0 and pos > neg)
    directional = strength * (1 - balance)
    return {
        "POSITIVE": directional if positive_side else 0.0,
        "NEGATIVE": 0.0 if positive_side else directional,
        "NEUTRAL": 1.0 - strength,
        "MIXED": strength * balance,
    }


def analyse(text: str) -> Sentiment:
    raw = _analyzer().polarity_scores(text)
    scores = scores_from_vader(raw["pos"], raw["neu"], raw["neg"], raw["compound"])
    label = max(scores, key=lambda name: scores[name])
    return Sentiment(label=label, scores={name: round(value, 6) for name, value in scores.items()})  # type: ignore[arg-type]


def compound(text: str) -> float:
    """VADER's compound polarity of ``text``, -1 (most negative) .. 1 (most positive)."""
    return float(_analyzer().polarity_scores(text)["compound"])
