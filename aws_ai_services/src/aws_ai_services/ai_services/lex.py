"""LexBot: build an Amazon Lex V2 bot (intents, sample utterances, slots), publish it, talk to it.

The steps are Lex's own: CreateBot -> CreateBotLocale -> CreateSlotType / CreateIntent / CreateSlot ->
UpdateIntent (slot priorities) -> BuildBotLocale; then either talk to the draft through the built-in test
alias ``TSTALIASID``, or CreateBotVersion + CreateBotAlias and talk to that alias. Each step waits with
boto3's Lex waiters (in local mode they return on the first poll; on AWS a build takes about a minute).
"""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.core.errors import NotFound
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient, aws_client

TEST_ALIAS_ID = "TSTALIASID"
DRAFT = "DRAFT"
LEX_ROLE = "role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots"
WAIT = {"Delay": 5, "MaxAttempts": 60}


@dataclass(frozen=True)
class SlotTypeSpec:
    """A custom slot type: each value with its synonyms; ``restrict`` keeps answers to those values."""

    name: str
    values: Mapping[str, Sequence[str]]
    restrict: bool = True


@dataclass(frozen=True)
class SlotSpec:
    """A slot: ``slot_type`` is a custom type's name or a built-in such as ``AMAZON.Number``."""

    name: str
    slot_type: str
    prompt: str
    required: bool = True
    max_retries: int = 2


@dataclass(frozen=True)
class IntentSpec:
    """An intent: sample utterances may name slots in braces (``"book a {RoomType} room"``)."""

    name: str
    utterances: Sequence[str]
    slots: Sequence[SlotSpec] = ()
    closing: str = ""
    confirmation: str = ""
    declination: str = ""


@dataclass(frozen=True)
class LexReply:
    """One turn of the conversation, flattened from Lex's sessionState / interpretations / messages."""

    intent: str
    state: str
    dialog_action: str
    slots: Mapping[str, str | None]
    messages: tuple[str, ...]
    confidence: float | None
    slot_to_elicit: str = ""
    transcript: str = ""
    alternatives: tuple[tuple[str, float], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


def _message(text: str) -> dict[str, Any]:
    return {"messageGroups": [{"message": {"plainTextMessage": {"value": text}}}]}


def _slot_value(value: str, synonyms: Sequence[str]) -> dict[str, Any]:
    """A slot type value; Lex refuses an empty synonym list, so none is sent then."""
    entry: dict[str, Any] = {"sampleValue": {"value": value}}
    if synonyms:
        entry["synonyms"] = [{"value": synonym} for synonym in synonyms]
    return entry


def decode_header(value: str | None) -> Any:
    """A RecognizeUtterance header: base64 of gzip of JSON."""
    return json.loads(gzip.decompress(base64.b64decode(value))) if value else None


def to_reply(
    state: Mapping[str, Any], interpretations: Sequence[Any], messages: Sequence[Any], transcript: str = ""
) -> LexReply:
    intent = state.get("intent") or {}
    slots = {
        name: ((slot or {}).get("value") or {}).get("interpretedValue")
        for name, slot in (intent.get("slots") or {}).items()
    }
    scored = [
        (i["intent"]["name"], float(i["nluConfidence"]["score"]))
        for i in interpretations
        if i.get("nluConfidence")
    ]
    confidence = next((score for name, score in scored if name == intent.get("name")), None)
    action = state.get("dialogAction") or {}
    return LexReply(
        intent=str(intent.get("name", "")),
        state=str(intent.get("state", "")),
        dialog_action=str(action.get("type", "")),
        slot_to_elicit=str(action.get("slotToElicit", "")),
        slots=slots,
        messages=tuple(str(m.get("content", "")) for m in messages or []),
        confidence=confidence,
        transcript=transcript,
        alternatives=tuple((name, score) for name, score in scored if name != intent.get("name")),
        raw={"sessionState": state, "interpretations": list(interpretations)},
    )


class LexBot:
    """One Lex V2 bot in one locale. ``create`` + ``build`` make it; ``recognize_*`` talk to ``alias_id``."""

    def __init__(
        self,
        name: str,
        *,
        locale: str = "en_US",
        settings: Settings | None = None,
        role_arn: str = "",
        confidence_threshold: float = 0.4,
        idle_session_seconds: int = 300,
        voice_id: str = "",
    ) -> None:
        self.name = name
        self.locale = locale
        self.settings = settings or get_settings()
        self._role_arn = role_arn
        self.confidence_threshold = confidence_threshold
        self.idle_session_seconds = idle_session_seconds
        self.voice_id = voice_id
        self.bot_id = ""
        self.alias_id = TEST_ALIAS_ID

    models = ServiceClient("lexv2-models")

    runtime = ServiceClient("lexv2-runtime")

    @property
    def role_arn(self) -> str:
        """Lex's service-linked role here (create it once: ``aws iam create-service-linked-role``)."""
        if not self._role_arn:
            with aws_errors("lex.role"):
                account = aws_client("sts", self.settings).get_caller_identity()["Account"]
            self._role_arn = f"arn:aws:iam::{account}:{LEX_ROLE}"
        return self._role_arn

    # ------------------------------------------------------------------ build
    def find(self) -> str:
        """The id of the existing bot named ``self.name`` (and remember it); NotFound when there is none."""
        with aws_errors("lex.list_bots"):
            found = self.models.list_bots(
                filters=[{"name": "BotName", "values": [self.name], "operator": "EQ"}]
            )
        ids = [b["botId"] for b in found["botSummaries"] if b["botName"] == self.name]
        if not ids:
            raise NotFound(f"no Lex bot named {self.name!r}; create it with LexBot.create", provider="aws")
        self.bot_id = ids[0]
        return self.bot_id

    def create(self, intents: Sequence[IntentSpec], slot_types: Sequence[SlotTypeSpec] = ()) -> str:
        """Create the bot, its locale, slot types, intents and slots (not yet built); returns the bot id."""
        key = {"botVersion": DRAFT, "localeId": self.locale}
        with aws_errors("lex.create_bot"):
            self.bot_id = self.models.create_bot(
                botName=self.name,
                roleArn=self.role_arn,
                dataPrivacy={"childDirected": False},
                idleSessionTTLInSeconds=self.idle_session_seconds,
            )["botId"]
            self.models.get_waiter("bot_available").wait(botId=self.bot_id, WaiterConfig=WAIT)
            locale: dict[str, Any] = {"nluIntentConfidenceThreshold": self.confidence_threshold}
            if self.voice_id:
                locale["voiceSettings"] = {"voiceId": self.voice_id, "engine": "standard"}
            self.models.create_bot_locale(botId=self.bot_id, **key, **locale)
            self.models.get_waiter("bot_locale_created").wait(botId=self.bot_id, **key, WaiterConfig=WAIT)
            type_ids = {spec.name: self._create_slot_type(spec) for spec in slot_types}
            for intent in intents:
                self._create_intent(intent, type_ids)
        return self.bot_id

    def _create_slot_type(self, spec: SlotTypeSpec) -> str:
        answer = self.models.create_slot_type(
            botId=self.bot_id,
            botVersion=DRAFT,
            localeId=self.locale,
            slotTypeName=spec.name,
            slotTypeValues=[_slot_value(value, synonyms) for value, synonyms in spec.values.items()],
            valueSelectionSetting={
                "resolutionStrategy": "TopResolution" if spec.restrict else "OriginalValue"
            },
        )
        return str(answer["slotTypeId"])

    def _create_intent(self, spec: IntentSpec, type_ids: Mapping[str, str]) -> None:
        key = {"botId": self.bot_id, "botVersion": DRAFT, "localeId": self.locale}
        definition: dict[str, Any] = {
            "intentName": spec.name,
            "sampleUtterances": [{"utterance": u} for u in spec.utterances],
        }
        if spec.closing:
            definition["intentClosingSetting"] = {"closingResponse": _message(spec.closing), "active": True}
        if spec.confirmation:
            definition["intentConfirmationSetting"] = {
                "promptSpecification": {**_message(spec.confirmation), "maxRetries": 2},
                "declinationResponse": _message(spec.declination or "Okay, cancelled."),
                "active": True,
            }
        intent_id = self.models.create_intent(**key, **definition)["intentId"]
        priorities = []
        for priority, slot in enumerate(spec.slots, start=1):
            slot_id = self.models.create_slot(
                **key,
                intentId=intent_id,
                slotName=slot.name,
                slotTypeId=type_ids.get(slot.slot_type, slot.slot_type),
                valueElicitationSetting={
                    "slotConstraint": "Required" if slot.required else "Optional",
                    "promptSpecification": {**_message(slot.prompt), "maxRetries": slot.max_retries},
                },
            )["slotId"]
            priorities.append({"priority": priority, "slotId": slot_id})
        if priorities:
            self.models.update_intent(**key, intentId=intent_id, **definition, slotPriorities=priorities)

    def build(self) -> None:
        """BuildBotLocale and wait until ``Built`` (Unavailable with Lex's failure reasons otherwise)."""
        key = {"botId": self.bot_id, "botVersion": DRAFT, "localeId": self.locale}
        with aws_errors("lex.build_bot_locale"):
            self.models.build_bot_locale(**key)
            self.models.get_waiter("bot_locale_built").wait(**key, WaiterConfig=WAIT)

    def publish(self, alias_name: str) -> str:
        """CreateBotVersion from the built draft and CreateBotAlias on it; later calls talk to that alias."""
        with aws_errors("lex.publish"):
            version = self.models.create_bot_version(
                botId=self.bot_id, botVersionLocaleSpecification={self.locale: {"sourceBotVersion": DRAFT}}
            )["botVersion"]
            self.models.get_waiter("bot_version_available").wait(
                botId=self.bot_id, botVersion=version, WaiterConfig=WAIT
            )
            self.alias_id = self.models.create_bot_alias(
                botId=self.bot_id,
                botAliasName=alias_name,
                botVersion=version,
                botAliasLocaleSettings={self.locale: {"enabled": True}},
            )["botAliasId"]
            self.models.get_waiter("bot_alias_available").wait(
                botId=self.bot_id, botAliasId=self.alias_id, WaiterConfig=WAIT
            )
        return str(self.alias_id)

    def delete(self) -> None:
        with aws_errors("lex.delete_bot"):
            self.models.delete_bot(botId=self.bot_id, skipResourceInUseCheck=True)

    # ------------------------------------------------------------------ talk
    def _session(self, session_id: str) -> dict[str, str]:
        return {
            "botId": self.bot_id,
            "botAliasId": self.alias_id,
            "localeId": self.locale,
            "sessionId": session_id or uuid.uuid4().hex,
        }

    def recognize_text(self, text: str, *, session_id: str = "") -> LexReply:
        """Send one user message; pass the same ``session_id`` to continue a conversation."""
        with aws_errors("lex.recognize_text"):
            answer = self.runtime.recognize_text(**self._session(session_id), text=text)
        return to_reply(
            answer["sessionState"], answer.get("interpretations", []), answer.get("messages", []), text
        )

    def recognize_pcm(self, pcm: bytes, *, sample_rate: int = 16000, session_id: str = "") -> LexReply:
        """Send 16-bit little-endian mono PCM (RecognizeUtterance); ``transcript`` is what Lex heard."""
        with aws_errors("lex.recognize_utterance"):
            answer = self.runtime.recognize_utterance(
                **self._session(session_id),
                requestContentType=f"audio/l16; rate={sample_rate}; channels=1",
                responseContentType="text/plain; charset=utf-8",
                inputStream=pcm,
            )
        transcript = decode_header(answer.get("inputTranscript")) or ""
        return to_reply(
            decode_header(answer.get("sessionState")) or {},
            decode_header(answer.get("interpretations")) or [],
            decode_header(answer.get("messages")) or [],
            str(transcript),
        )
