"""A CLU project's trained model: TF-IDF (words + character n-grams) and logistic regression over intents.

Intent scores are the classifier's probabilities, learned from the project's ``Train`` utterances; list
entities are found by exact synonym match and regex entities by their expressions. Learned (machine
learned) entity components are not emulated: the runtime reports only list and regex matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

NONE_INTENT = "None"


@dataclass(frozen=True)
class ListEntry:
    """One synonym of a list entity: ``category``, ``list_key`` (its sub-list) and ``value`` as written."""

    category: str
    list_key: str
    value: str


@dataclass
class IntentModel:
    """The fitted pipeline plus what the runtime needs to answer: threshold, list and regex entities."""

    label: str
    classes: list[str]
    pipeline: Any
    threshold: float
    synonyms: list[ListEntry] = field(default_factory=list)
    regexes: list[tuple[str, str, re.Pattern[str]]] = field(default_factory=list)
    training_utterances: int = 0

    def intents(self, text: str) -> list[dict[str, Any]]:
        """Every trained intent with its probability, best first."""
        probabilities = self.pipeline.predict_proba([text])[0]
        ranked = sorted(zip(self.pipeline.classes_, probabilities, strict=True), key=lambda pair: -pair[1])
        return [{"category": str(name), "confidenceScore": round(float(p), 4)} for name, p in ranked]

    def top_intent(self, intents: list[dict[str, Any]]) -> str:
        best = intents[0]
        return str(best["category"]) if best["confidenceScore"] >= self.threshold else NONE_INTENT

    def entities(self, text: str) -> list[dict[str, Any]]:
        """List entities (synonyms, longest first, no overlaps) and regex entities, in text order."""
        found: list[dict[str, Any]] = []
        taken: list[tuple[int, int]] = []
        for entry in sorted(self.synonyms, key=lambda e: -len(e.value)):
            pattern = rf"(?<!\w){re.escape(entry.value)}(?!\w)"
            for match in re.finditer(pattern, text, flags=re.IGNORECASE):
                span = match.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                found.append(
                    _entity(entry.category, match, {"extraInformationKind": "ListKey", "key": entry.list_key})
                )
        for category, regex_key, expression in self.regexes:
            for match in expression.finditer(text):
                if match.group(0):
                    found.append(
                        _entity(category, match, {"extraInformationKind": "RegexKey", "key": regex_key})
                    )
        return sorted(found, key=lambda entity: (entity["offset"], -entity["length"]))


def _entity(category: str, match: re.Match[str], extra: dict[str, str]) -> dict[str, Any]:
    return {
        "category": category,
        "text": match.group(0),
        "offset": match.start(),
        "length": match.end() - match.start(),
        "confidenceScore": 1.0,
        "extraInformation": [extra],
    }


def train_intent_model(label: str, assets: dict[str, Any], threshold: float) -> IntentModel:
    """Fit the classifier on the ``Train`` utterances (those without a dataset count as Train).

    Raises 400 ``InvalidRequest`` when fewer than two intents have training utterances: a classifier
    needs two classes (add utterances, for instance to the ``None`` intent).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    rows = [
        (str(u["text"]), str(u["intent"]))
        for u in assets.get("utterances") or []
        if str(u.get("dataset") or "Train").lower() == "train"
    ]
    classes = sorted({intent for _, intent in rows})
    if len(classes) < 2:
        raise AzureError(
            400,
            "InvalidRequest",
            f"Training needs utterances for at least two intents; the project has them for "
            f"{classes or 'none'}. Add utterances to another intent (the None intent counts).",
        )
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)),
        ]
    )
    pipeline = make_pipeline(features, LogisticRegression(C=20.0, max_iter=2000))
    pipeline.fit([text for text, _ in rows], [intent for _, intent in rows])
    return IntentModel(
        label=label,
        classes=classes,
        pipeline=pipeline,
        threshold=threshold,
        synonyms=_list_entries(assets),
        regexes=_regexes(assets),
        training_utterances=len(rows),
    )


def _list_entries(assets: dict[str, Any]) -> list[ListEntry]:
    entries: list[ListEntry] = []
    for entity in assets.get("entities") or []:
        for sublist in (entity.get("list") or {}).get("sublists") or []:
            key = str(sublist.get("listKey") or "")
            values = {key} if key else set()
            for synonym in sublist.get("synonyms") or []:
                values.update(str(v) for v in synonym.get("values") or [] if str(v).strip())
            entries.extend(ListEntry(str(entity["category"]), key, value) for value in sorted(values))
    return entries


def _regexes(assets: dict[str, Any]) -> list[tuple[str, str, re.Pattern[str]]]:
    compiled = []
    for entity in assets.get("entities") or []:
        for expression in (entity.get("regex") or {}).get("expressions") or []:
            pattern = str(expression.get("regexPattern") or "")
            try:
                compiled.append(
                    (str(entity["category"]), str(expression.get("regexKey") or ""), re.compile(pattern))
                )
            except re.error as exc:
                raise AzureError(
                    400, "InvalidRequest", f"Entity {entity['category']!r}: invalid regular expression: {exc}"
                ) from exc
    return compiled
