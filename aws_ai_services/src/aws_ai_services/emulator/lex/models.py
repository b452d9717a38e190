"""Lex V2 state: bots, versions, locales, intents, slots, slot types, aliases and conversation sessions.

Resources are kept as the records the API describes (request fields plus ids, statuses, timestamps), so
Describe/List answers echo what was sent. A locale's ``built`` model is the snapshot ``BuildBotLocale``
compiled; the runtime only ever reads snapshots, as Lex serves the last build, not the draft.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError

DRAFT = "DRAFT"
TEST_ALIAS_ID = "TSTALIASID"
TEST_ALIAS_NAME = "TestBotAlias"
FALLBACK_INTENT_ID = "FALLBCKINT"
FALLBACK_INTENT_NAME = "FallbackIntent"
_ID_ALPHABET = string.ascii_uppercase + string.digits


def new_id() -> str:
    """A 10-character id like Lex's (``"H5Q1AZD2KE"``)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def now() -> datetime:
    return datetime.now(timezone.utc)


def not_found(kind: str, name: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Failed to retrieve {kind} {name}: it does not exist.")


@dataclass
class Locale:
    record: dict[str, Any]
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    slots: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # intentId -> slotId -> record
    slot_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    built: Any = None  # nlu.LocaleModel of the last successful build

    def touch(self) -> None:
        """A draft change: the locale needs a new build (the last one keeps serving meanwhile)."""
        self.record["lastUpdatedDateTime"] = now()
        if self.record.get("botLocaleStatus") in ("Built", "ReadyExpressTesting", "Failed"):
            self.record["botLocaleStatus"] = "NotBuilt"

    def intent(self, intent_id: str) -> dict[str, Any]:
        if intent_id not in self.intents:
            raise not_found("intent", intent_id)
        return self.intents[intent_id]

    def slot_type(self, slot_type_id: str) -> dict[str, Any]:
        if slot_type_id not in self.slot_types:
            raise not_found("slot type", slot_type_id)
        return self.slot_types[slot_type_id]


@dataclass
class Bot:
    record: dict[str, Any]
    versions: dict[str, dict[str, Locale]] = field(default_factory=lambda: {DRAFT: {}})
    version_records: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_version: int = 1

    @property
    def id(self) -> str:
        return str(self.record["botId"])

    def locale(self, version: str, locale_id: str) -> Locale:
        if version not in self.versions:
            raise not_found("bot version", f"{self.id}/{version}")
        if locale_id not in self.versions[version]:
            raise not_found("bot locale", f"{locale_id} of bot {self.id} version {version}")
        return self.versions[version][locale_id]

    def alias(self, alias_id: str) -> dict[str, Any]:
        if alias_id not in self.aliases:
            raise not_found("bot alias", f"{alias_id} of bot {self.id}")
        return self.aliases[alias_id]

    def snapshot(self, locale_ids: list[str]) -> dict[str, Locale]:
        """Deep copies of the draft locales, for a new numbered version."""
        return {locale_id: copy.deepcopy(self.locale(DRAFT, locale_id)) for locale_id in locale_ids}


@dataclass
class Session:
    """One conversation: the state returned to the client and what the dialog manager needs next turn."""

    state: dict[str, Any] = field(default_factory=dict)  # the sessionState of the last answer
    retries: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    interpretations: list[dict[str, Any]] = field(default_factory=list)
    last_used: datetime = field(default_factory=now)


class LexStore:
    """Every bot and session, behind one lock (requests arrive on several server threads)."""

    def __init__(self) -> None:
        self.bots: dict[str, Bot] = {}
        self.sessions: dict[tuple[str, str, str, str], Session] = {}
        self.lock = threading.RLock()

    def reset(self) -> None:
        with self.lock:
            self.bots.clear()
            self.sessions.clear()

    def bot(self, bot_id: str) -> Bot:
        if bot_id not in self.bots:
            raise not_found("bot", bot_id)
        return self.bots[bot_id]

    def served_locale(self, bot_id: str, alias_id: str, locale_id: str) -> Locale:
        """The locale an alias serves: TSTALIASID serves the draft; others their version, if enabled there."""
        bot = self.bot(bot_id)
        alias = bot.alias(alias_id)
        settings = alias.get("botAliasLocaleSettings") or {}
        if alias_id != TEST_ALIAS_ID and not settings.get(locale_id, {}).get("enabled", False):
            raise AwsError(
                "ValidationException",
                f"Locale {locale_id} is not enabled on bot alias {alias_id} of bot {bot_id}.",
            )
        return bot.locale(str(alias["botVersion"]), locale_id)
