"""Lex V2 natural-language understanding offline: intent scores from the sample utterances, slot values.

Build (``build_locale``) compiles each sample utterance into (a) a template regex in which ``{Slot}``
captures words, and (b) a TF-IDF vector of its stemmed words, each ``{Slot}`` kept as the token
``<Slot>``; IDF is ``ln((1 + N) / (1 + df)) + 1`` over the locale's N utterances.

Scoring an input against an intent: 1.0 when it matches one of the intent's templates outright (every
captured value valid for its slot type); otherwise the best cosine similarity between the input's TF-IDF
vector and the intent's utterance vectors, where the input gains the token ``<Slot>`` for each of the
intent's slots whose value it contains. ``nluConfidence`` is that score to two decimals; the best intent
wins when it reaches the locale's ``nluIntentConfidenceThreshold``, else ``FallbackIntent``.

Stemming is deliberately light (``-ing``, ``-ed``, ``-es``, ``-s`` removed from words of 5+ letters), so
"booking"/"booked"/"books" meet "book". Slot values: a template capture, else a search of the whole input
(custom types: the longest sample value or synonym present; built-ins: :mod:`.slot_values`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aws_ai_services.emulator.lex import slot_values
from aws_ai_services.emulator.lex.models import FALLBACK_INTENT_NAME, Locale

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_-]+)\}")
_EDGE_PUNCTUATION = ',.!?;:"()[]'


def normalise(text: str) -> str:
    """Lower case, single spaces, punctuation stripped from word edges (``3:30`` and emails survive)."""
    return " ".join(filter(None, (token.strip(_EDGE_PUNCTUATION) for token in text.lower().split())))


def same_value(spoken: str, value: str) -> bool:
    """``spoken`` is ``value`` or its plural (``kings``, ``boxes``), ignoring case and punctuation."""
    spoken, value = normalise(spoken), normalise(value)
    return spoken in (value, value + "s", value + "es")


def stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and len(word) >= 5:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    return [stem(word) for word in re.findall(r"[a-z0-9']+", text.lower())]


def first_message(setting: dict[str, Any] | None) -> str:
    """The first message of a ``messageGroups`` specification (plain text, else SSML), or ""."""
    for group in (setting or {}).get("messageGroups") or []:
        message = group.get("message") or {}
        for kind in ("plainTextMessage", "ssmlMessage"):
            if message.get(kind, {}).get("value"):
                return str(message[kind]["value"])
    return ""


@dataclass(frozen=True)
class SlotTypeModel:
    name: str
    builtin: str = ""  # "AMAZON.Number" for built-in types
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (canonical value, synonyms)
    strategy: str = "OriginalValue"

    def resolve_span(self, span: str) -> tuple[str, str, list[str]] | None:
        """``(original, interpreted, resolved values)`` when ``span`` is a value of this type."""
        span = span.strip()
        if not span:
            return None
        if self.builtin:
            resolver = slot_values.RESOLVERS.get(self.builtin)
            if resolver is None:
                return span, span, [span]
            found = resolver(span)
            return (span, found[1], [found[1]]) if found else None
        for canonical, synonyms in self.values:
            if any(same_value(span, value) for value in (canonical, *synonyms)):
                return span, canonical if self.strategy == "TopResolution" else span, [canonical]
        return (span, span, []) if self.strategy != "TopResolution" else None

    def search(self, text: str) -> tuple[str, str, list[str]] | None:
        """The longest value of this type found anywhere in ``text``."""
        if self.builtin:
            resolver = slot_values.RESOLVERS.get(self.builtin)
            found = resolver(text) if resolver and self.builtin != "AMAZON.FreeFormInput" else None
            return (found[0], found[1], [found[1]]) if found else None
        lowered = normalise(text)
        candidates = [(v, canonical) for canonical, synonyms in self.values for v in (canonical, *synonyms)]
        for value, canonical in sorted(candidates, key=lambda c: -len(c[0])):
            match = re.search(rf"(?<![\w]){re.escape(normalise(value))}(?:s|es)?(?![\w])", lowered)
            if match:
                original = match.group(0)
                return original, canonical if self.strategy == "TopResolution" else original, [canonical]
        return None


@dataclass(frozen=True)
class SlotModel:
    id: str
    name: str
    type: SlotTypeModel
    required: bool
    prompt: str
    max_retries: int


@dataclass(frozen=True)
class Template:
    utterance: str
    pattern: re.Pattern[str]
    slot_names: tuple[str, ...]
    literal_words: int
    vector: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class IntentModel:
    id: str
    name: str
    templates: tuple[Template, ...]
    slots: tuple[SlotModel, ...]  # in elicitation priority order
    closing: str = ""
    confirmation_prompt: str = ""
    declination: str = ""
    fulfillment_hook: bool = False
    is_fallback: bool = False

    def slot(self, name: str) -> SlotModel | None:
        return next((s for s in self.slots if s.name == name), None)


@dataclass(frozen=True)
class LocaleModel:
    locale_id: str
    threshold: float
    intents: tuple[IntentModel, ...]
    fallback: IntentModel
    idf: dict[str, float]
    default_idf: float
    voice_id: str = ""

    def intent(self, name: str) -> IntentModel | None:
        return next((i for i in (*self.intents, self.fallback) if i.name == name), None)


@dataclass(frozen=True)
class Match:
    intent: IntentModel
    score: float
    slots: dict[str, tuple[str, str, list[str]]]


# ----------------------------------------------------------------------------- build
def build_locale(locale: Locale) -> tuple[LocaleModel | None, list[str]]:
    """Compile the draft locale; ``(None, failure reasons)`` when it cannot be built, as Lex reports them."""
    failures: list[str] = []
    types = {type_id: _slot_type(record) for type_id, record in locale.slot_types.items()}
    intents, fallback = [], None
    for intent_id, record in locale.intents.items():
        model = _intent(intent_id, record, locale.slots.get(intent_id, {}), types, failures)
        if model.is_fallback:
            fallback = model
        else:
            intents.append(model)
    if not intents:
        failures.append(
            f"Locale {locale.record['localeId']} needs at least one intent besides {FALLBACK_INTENT_NAME}."
        )
    if failures:
        return None, failures
    templates = [template for intent in intents for template in intent.templates]
    document_frequency = Counter(token for t in templates for token in set(_template_tokens(t)))
    total = len(templates)
    idf = {token: math.log((1 + total) / (1 + df)) + 1 for token, df in document_frequency.items()}
    default_idf = math.log(1 + total) + 1
    vectorised = tuple(
        IntentModel(
            **{
                **intent.__dict__,
                "templates": tuple(
                    Template(**{**t.__dict__, "vector": _tfidf(_template_tokens(t), idf, default_idf)})
                    for t in intent.templates
                ),
            }
        )
        for intent in intents
    )
    assert fallback is not None
    record = locale.record
    return (
        LocaleModel(
            locale_id=str(record["localeId"]),
            threshold=float(record.get("nluIntentConfidenceThreshold", 0.4)),
            intents=vectorised,
            fallback=fallback,
            idf=idf,
            default_idf=default_idf,
            voice_id=str((record.get("voiceSettings") or {}).get("voiceId", "")),
        ),
        [],
    )


def _slot_type(record: dict[str, Any]) -> SlotTypeModel:
    values = tuple(
        (
            str(item["sampleValue"]["value"]),
            tuple(str(s["value"]) for s in item.get("synonyms") or []),
        )
        for item in record.get("slotTypeValues") or []
    )
    strategy = (record.get("valueSelectionSetting") or {}).get("resolutionStrategy", "OriginalValue")
    return SlotTypeModel(name=str(record["slotTypeName"]), values=values, strategy=strategy)


def _intent(
    intent_id: str,
    record: dict[str, Any],
    slot_records: dict[str, dict[str, Any]],
    types: dict[str, SlotTypeModel],
    failures: list[str],
) -> IntentModel:
    name = str(record["intentName"])
    order = {p["slotId"]: p["priority"] for p in record.get("slotPriorities") or []}
    slots = []
    for slot_id, slot in sorted(
        slot_records.items(), key=lambda item: (order.get(item[0], 1_000), item[1]["slotName"])
    ):
        type_id = str(slot["slotTypeId"])
        slot_type = types.get(type_id) or (
            SlotTypeModel(name=type_id, builtin=type_id) if type_id.startswith("AMAZON.") else None
        )
        if slot_type is None:
            failures.append(
                f"Slot {slot['slotName']} in intent {name} uses slot type {type_id}, which does not exist."
            )
            continue
        elicitation = slot.get("valueElicitationSetting") or {}
        prompt = elicitation.get("promptSpecification") or {}
        slots.append(
            SlotModel(
                id=slot_id,
                name=str(slot["slotName"]),
                type=slot_type,
                required=elicitation.get("slotConstraint") == "Required",
                prompt=first_message(prompt),
                max_retries=int(prompt.get("maxRetries", 2)),
            )
        )
    is_fallback = record.get("parentIntentSignature") == "AMAZON.FallbackIntent"
    slot_names = {s.name for s in slots}
    templates = []
    for item in record.get("sampleUtterances") or []:
        utterance = str(item["utterance"])
        missing = [n for n in _PLACEHOLDER.findall(utterance) if n not in slot_names]
        if missing:
            failures.append(
                f"Sample utterance '{utterance}' in intent {name} refers to undefined slot(s) "
                f"{', '.join(missing)}."
            )
            continue
        templates.append(compile_template(utterance))
    if not templates and not is_fallback:
        failures.append(f"Intent {name} has no sample utterances; add at least one.")
    closing = record.get("intentClosingSetting") or {}
    confirmation = record.get("intentConfirmationSetting") or {}
    return IntentModel(
        id=intent_id,
        name=name,
        templates=tuple(templates),
        slots=tuple(slots),
        closing=first_message(closing.get("closingResponse")) if closing.get("active", True) else "",
        confirmation_prompt=first_message(confirmation.get("promptSpecification"))
        if confirmation.get("active", True)
        else "",
        declination=first_message(confirmation.get("declinationResponse")),
        fulfillment_hook=bool((record.get("fulfillmentCodeHook") or {}).get("enabled")),
        is_fallback=is_fallback,
    )


def compile_template(utterance: str) -> Template:
    parts = _PLACEHOLDER.split(utterance)
    pattern, names, literal = "", [], 0
    for index, part in enumerate(parts):
        if index % 2:
            names.append(part)
            pattern += f"(?P<s{len(names) - 1}>.+?)"
            continue
        words = normalise(part).split()
        literal += len(words)
        pieces = [r"\s+".join(re.escape(w) for w in words)] if words else []
        if pattern:
            pieces.insert(0, "")  # a separator after the previous slot
        if index + 1 < len(parts):
            pieces.append("")  # a separator before the next slot
        pattern += r"\s+".join(pieces) if words or (pattern and index + 1 < len(parts)) else ""
    return Template(utterance, re.compile(pattern), tuple(names), literal)


def _template_tokens(template: Template) -> list[str]:
    literal = tokens(_PLACEHOLDER.sub(" ", template.utterance))
    return literal + [f"<{name}>" for name in template.slot_names]


def _tfidf(words: list[str], idf: dict[str, float], default_idf: float) -> dict[str, float]:
    counts = Counter(words)
    return {word: count * idf.get(word, default_idf) for word, count in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(value * b.get(key, 0.0) for key, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


# ----------------------------------------------------------------------------- recognise
def score_intent(model: LocaleModel, intent: IntentModel, text: str) -> Match:
    """The intent's score for ``text`` with the slot values found on the way."""
    normalised = normalise(text)
    best_template: tuple[int, dict[str, tuple[str, str, list[str]]]] | None = None
    for template in intent.templates:
        match = template.pattern.fullmatch(normalised)
        if not match:
            continue
        filled = {}
        for index, name in enumerate(template.slot_names):
            slot = intent.slot(name)
            value = slot.type.resolve_span(match.group(f"s{index}")) if slot else None
            if value is None:
                break
            filled[name] = value
        else:
            if best_template is None or template.literal_words > best_template[0]:
                best_template = (template.literal_words, filled)
    if best_template is not None:
        filled = {**search_slots(intent, text, exclude=set(best_template[1])), **best_template[1]}
        return Match(intent, 1.0, filled)
    found = search_slots(intent, text)
    words = tokens(text) + [f"<{name}>" for name in found]
    vector = _tfidf(words, model.idf, model.default_idf)
    score = max((_cosine(vector, t.vector) for t in intent.templates), default=0.0)
    return Match(intent, round(score, 2), found)


def search_slots(
    intent: IntentModel, text: str, exclude: frozenset[str] | set[str] = frozenset()
) -> dict[str, tuple[str, str, list[str]]]:
    """Slot values anywhere in ``text``; one span never fills two slots."""
    found: dict[str, tuple[str, str, list[str]]] = {}
    used: set[str] = set()
    for slot in intent.slots:
        if slot.name in exclude:
            continue
        value = slot.type.search(text)
        if value and value[0] not in used:
            found[slot.name] = value
            used.add(value[0])
    return found


def rank(model: LocaleModel, text: str) -> list[Match]:
    """Every intent's match for ``text``, best first."""
    return sorted((score_intent(model, intent, text) for intent in model.intents), key=lambda m: -m.score)
