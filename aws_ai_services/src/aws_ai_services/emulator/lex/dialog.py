"""Lex V2 dialog management for one turn: recognise or continue an intent, elicit slots, confirm, close.

A new utterance is classified (:mod:`.nlu`); the winning intent's slots are filled from it; then, in
order: the first unfilled *required* slot is elicited with its prompt (``ElicitSlot``), the intent's
confirmation prompt is asked (``ConfirmIntent``), or the intent closes: ``Fulfilled`` with its closing
response, or ``ReadyForFulfillment`` when a fulfillment code hook is enabled (no Lambda is invoked
offline). While eliciting, the whole answer is read as the slot's value; after ``maxRetries`` failed
answers the intent ``Failed``. Messages may name slots (``{RoomType}``), replaced by their values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aws_ai_services.emulator.lex import slot_values
from aws_ai_services.emulator.lex.models import Session
from aws_ai_services.emulator.lex.nlu import IntentModel, LocaleModel, Match, rank

MAX_INTERPRETATIONS = 5
SlotFill = tuple[str, str, list[str]]


@dataclass
class Turn:
    session_state: dict[str, Any]
    messages: list[dict[str, Any]]
    interpretations: list[dict[str, Any]]
    input_transcript: str = ""


@dataclass
class _Progress:
    intent: IntentModel
    slots: dict[str, SlotFill] = field(default_factory=dict)
    confirmation: str = "None"


def slot_json(fill: SlotFill | None) -> dict[str, Any] | None:
    if fill is None:
        return None
    original, interpreted, resolved = fill
    return {"value": {"originalValue": original, "interpretedValue": interpreted, "resolvedValues": resolved}}


def _fills_from_state(intent_state: dict[str, Any]) -> dict[str, SlotFill]:
    fills = {}
    for name, slot in (intent_state.get("slots") or {}).items():
        value = (slot or {}).get("value") or {}
        if value.get("interpretedValue") is not None:
            original = value.get("originalValue", value["interpretedValue"])
            fills[name] = (original, value["interpretedValue"], list(value.get("resolvedValues") or []))
    return fills


def _message(text: str, slots: dict[str, SlotFill]) -> list[dict[str, Any]]:
    if not text:
        return []
    filled = re.sub(
        r"\{([A-Za-z0-9_-]+)\}", lambda m: slots[m.group(1)][1] if m.group(1) in slots else m.group(0), text
    )
    kind = "SSML" if filled.lstrip().startswith("<speak") else "PlainText"
    return [{"content": filled, "contentType": kind}]


def converse(
    model: LocaleModel, session: Session, text: str, incoming: dict[str, Any] | None, request_id: str
) -> Turn:
    """Advance ``session`` by the user's ``text``; ``incoming`` is a sessionState the client sent, if any."""
    state = (
        incoming if incoming and (incoming.get("dialogAction") or incoming.get("intent")) else session.state
    )
    attributes = (incoming or {}).get("sessionAttributes") or state.get("sessionAttributes") or {}
    action = (state.get("dialogAction") or {}).get("type", "")
    current = model.intent((state.get("intent") or {}).get("name", ""))
    ranked = rank(model, text)
    if current is not None and action in ("ElicitSlot", "ConfirmIntent") and not current.is_fallback:
        progress = _Progress(
            current, _fills_from_state(state["intent"]), state["intent"].get("confirmationState", "None")
        )
        if action == "ElicitSlot":
            turn = _answer_slot(progress, state["dialogAction"].get("slotToElicit", ""), text, session)
        else:
            turn = _answer_confirmation(progress, text, session)
        top = [m for m in ranked if m.intent.name == current.name] or [Match(current, 1.0, {})]
    else:
        session.retries = 0
        best = ranked[0] if ranked else None
        if best is None or best.score < model.threshold:
            turn = _close(_Progress(model.fallback), state="Fulfilled", message="")
            top = []
        else:
            turn = _next_step(_Progress(best.intent, dict(best.slots)), session)
            top = [best]
    turn.session_state.update(sessionAttributes=attributes, originatingRequestId=request_id)
    turn.interpretations = _interpretations(model, turn, top, ranked)
    turn.input_transcript = text
    session.state = turn.session_state
    return turn


def _answer_slot(progress: _Progress, slot_name: str, text: str, session: Session) -> Turn:
    slot = progress.intent.slot(slot_name)
    value = answer_value(slot.type, text) if slot is not None else None
    if value is not None:
        progress.slots[slot_name] = value
        session.retries = 0
        return _next_step(progress, session)
    session.retries += 1
    if slot is None or session.retries > slot.max_retries:
        session.retries = 0
        return _close(progress, state="Failed", message="")
    return _elicit(progress, slot_name)


def answer_value(slot_type: Any, text: str) -> SlotFill | None:
    """The value of an answer to a slot prompt: a value inside it ("a king room please" -> king), else,
    where the type accepts any value (OriginalValue, gazetteer-less built-ins), the whole answer."""
    answer = text.strip()
    if slot_type.builtin == "AMAZON.FreeFormInput" or (
        slot_type.builtin and slot_type.builtin not in slot_values.RESOLVERS
    ):
        return (answer, answer, [answer]) if answer else None
    found = slot_type.search(answer)
    if found is not None or slot_type.builtin:
        return found  # type: ignore[no-any-return]
    return slot_type.resolve_span(answer)  # type: ignore[no-any-return]


def _answer_confirmation(progress: _Progress, text: str, session: Session) -> Turn:
    answer = slot_values.confirmation(text)
    if answer is None:
        return _confirm(progress)
    if answer[1] == "No":
        progress.confirmation = "Denied"
        return _close(progress, state="Failed", message=progress.intent.declination)
    progress.confirmation = "Confirmed"
    return _next_step(progress, session)


def _next_step(progress: _Progress, session: Session) -> Turn:
    intent = progress.intent
    for slot in intent.slots:
        if slot.required and slot.name not in progress.slots:
            return _elicit(progress, slot.name)
    if intent.confirmation_prompt and progress.confirmation == "None":
        return _confirm(progress)
    state = "ReadyForFulfillment" if intent.fulfillment_hook else "Fulfilled"
    return _close(progress, state=state, message=intent.closing)


def _intent_state(progress: _Progress, state: str) -> dict[str, Any]:
    return {
        "name": progress.intent.name,
        "slots": {slot.name: slot_json(progress.slots.get(slot.name)) for slot in progress.intent.slots},
        "state": state,
        "confirmationState": progress.confirmation,
    }


def _elicit(progress: _Progress, slot_name: str) -> Turn:
    slot = progress.intent.slot(slot_name)
    prompt = slot.prompt if slot else ""
    return Turn(
        session_state={
            "dialogAction": {"type": "ElicitSlot", "slotToElicit": slot_name},
            "intent": _intent_state(progress, "InProgress"),
        },
        messages=_message(prompt, progress.slots),
        interpretations=[],
    )


def _confirm(progress: _Progress) -> Turn:
    return Turn(
        session_state={
            "dialogAction": {"type": "ConfirmIntent"},
            "intent": _intent_state(progress, "InProgress"),
        },
        messages=_message(progress.intent.confirmation_prompt, progress.slots),
        interpretations=[],
    )


def _close(progress: _Progress, *, state: str, message: str) -> Turn:
    return Turn(
        session_state={"dialogAction": {"type": "Close"}, "intent": _intent_state(progress, state)},
        messages=_message(message, progress.slots),
        interpretations=[],
    )


def _interpretations(
    model: LocaleModel, turn: Turn, top: list[Match], ranked: list[Match]
) -> list[dict[str, Any]]:
    """The chosen intent first (with the session's view of it), then the runners-up, FallbackIntent last."""
    chosen = turn.session_state["intent"]
    listed = [{"intent": chosen, "interpretationSource": "Lex"}]
    if top:
        listed[0]["nluConfidence"] = {"score": top[0].score}
    others = [m for m in ranked if m.intent.name != chosen["name"] and m.score > 0]
    for match in others[: MAX_INTERPRETATIONS - 1]:
        listed.append(
            {
                "intent": {
                    "name": match.intent.name,
                    "slots": {s.name: slot_json(match.slots.get(s.name)) for s in match.intent.slots},
                    "confirmationState": "None",
                },
                "nluConfidence": {"score": match.score},
                "interpretationSource": "Lex",
            }
        )
    if chosen["name"] != model.fallback.name:
        listed.append({"intent": {"name": model.fallback.name, "slots": {}}, "interpretationSource": "Lex"})
    return listed[: MAX_INTERPRETATIONS + 1]
