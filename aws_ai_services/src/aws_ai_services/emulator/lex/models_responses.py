"""Lex V2 model-building API (lexv2-models): bots, locales, intents, slot types, slots, versions, aliases.

moto 5.2 keeps only bots and aliases, so this emulator serves the whole API family the lessons use.
Creates answer with Lex's transitional status (``Creating``, ``Building``) and the resource is ready at
once: the next Describe says ``Available`` / ``Built``, so boto3's waiters return on their first poll.
``BuildBotLocale`` really compiles the intent model (:mod:`.nlu`) and fails, with Lex's
``failureReasons``, on utterances naming undefined slots or a locale with no intent to recognise.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError, RequestContext
from multi_cloud.emulation.protocols.aws.routing import AwsResponder

from aws_ai_services.emulator.lex import nlu
from aws_ai_services.emulator.lex.models import (
    DRAFT,
    FALLBACK_INTENT_ID,
    FALLBACK_INTENT_NAME,
    TEST_ALIAS_ID,
    TEST_ALIAS_NAME,
    Bot,
    LexStore,
    Locale,
    new_id,
    now,
)

Params = dict[str, Any]
LOCALE_NAMES = {
    "en_US": "English (US)",
    "en_GB": "English (GB)",
    "en_AU": "English (AU)",
    "en_IN": "English (IN)",
    "es_ES": "Spanish (ES)",
    "es_US": "Spanish (US)",
    "es_419": "Spanish (LATAM)",
    "fr_FR": "French (FR)",
    "fr_CA": "French (CA)",
    "de_DE": "German (DE)",
    "it_IT": "Italian (IT)",
    "ja_JP": "Japanese (JP)",
    "ko_KR": "Korean (KR)",
    "pt_BR": "Portuguese (BR)",
    "zh_CN": "Chinese (CN)",
}
PATH_KEYS = ("botId", "botVersion", "localeId", "intentId", "slotTypeId", "slotId", "botAliasId")


def _fields(params: Params) -> Params:
    """The request's resource fields (path parameters dropped, they are kept separately)."""
    return {key: value for key, value in params.items() if key not in PATH_KEYS}


def _page(items: list[Params], params: Params, key: str) -> Params:
    token = str(params.get("nextToken") or "0")
    if not token.isdigit():  # a token this emulator did not hand out
        raise AwsError(
            "ValidationException", f"The nextToken {token[:64]!r} is not valid; use one a list call returned"
        )
    start = int(token)
    size = int(params.get("maxResults") or 100)
    page: Params = {key: items[start : start + size]}
    if start + size < len(items):
        page["nextToken"] = str(start + size)
    return page


def _name_filter(items: list[Params], params: Params, field: str) -> list[Params]:
    for rule in params.get("filters") or []:
        values = [str(v).lower() for v in rule.get("values", [])]
        operator = rule.get("operator", "EQ")

        def keep(item: Params, values: list[str] = values, operator: str = operator) -> bool:
            name = str(item.get(field, "")).lower()
            contains = any(v in name for v in values)
            return name in values if operator == "EQ" else contains if operator == "CO" else not contains

        items = [item for item in items if keep(item)]
    return sorted(items, key=lambda item: str(item.get(field, "")))


def _unique(records: dict[str, Params], field: str, name: str, kind: str, skip: str = "") -> None:
    if any(r.get(field) == name and key != skip for key, r in records.items()):
        raise AwsError("ConflictException", f"A {kind} named {name} already exists; choose another name.")


class LexModelsResponses(AwsResponder):
    service_name = "lexv2-models"
    validate_input = True

    def __init__(self, store: LexStore) -> None:
        self.store = store

    def _draft(self, params: Params) -> Locale:
        if params.get("botVersion", DRAFT) != DRAFT:
            raise AwsError("ValidationException", "Only the DRAFT version of a bot can be changed.")
        return self.store.bot(params["botId"]).locale(DRAFT, params["localeId"])

    def _locale(self, params: Params) -> Locale:
        return self.store.bot(params["botId"]).locale(params["botVersion"], params["localeId"])

    # ------------------------------------------------------------------ bots
    def create_bot(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            _unique({b.id: b.record for b in self.store.bots.values()}, "botName", params["botName"], "bot")
            bot_id, created = new_id(), now()
            record = {
                **params,
                "botId": bot_id,
                "botStatus": "Available",
                "creationDateTime": created,
                "lastUpdatedDateTime": created,
                "botType": params.get("botType", "Bot"),
            }
            bot = Bot(record)
            bot.aliases[TEST_ALIAS_ID] = {
                "botAliasId": TEST_ALIAS_ID,
                "botAliasName": TEST_ALIAS_NAME,
                "botVersion": DRAFT,
                "botAliasStatus": "Available",
                "botAliasLocaleSettings": {},
                "botId": bot_id,
                "creationDateTime": created,
                "lastUpdatedDateTime": created,
            }
            self.store.bots[bot_id] = bot
            return {**record, "botStatus": "Creating"}

    def describe_bot(self, params: Params, context: RequestContext) -> Params:
        return self.store.bot(params["botId"]).record

    def update_bot(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            bot = self.store.bot(params["botId"])
            bot.record.update(_fields(params), lastUpdatedDateTime=now())
            return bot.record

    def list_bots(self, params: Params, context: RequestContext) -> Params:
        summaries = [
            {**bot.record, "latestBotVersion": str(bot.next_version - 1) if bot.next_version > 1 else DRAFT}
            for bot in self.store.bots.values()
        ]
        return _page(_name_filter(summaries, params, "botName"), params, "botSummaries")

    def delete_bot(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            bot = self.store.bot(params["botId"])
            del self.store.bots[bot.id]
            for key in [k for k in self.store.sessions if k[0] == bot.id]:
                del self.store.sessions[key]
        return {"botId": bot.id, "botStatus": "Deleting"}

    # ------------------------------------------------------------------ locales
    def create_bot_locale(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            bot = self.store.bot(params["botId"])
            if params.get("botVersion", DRAFT) != DRAFT:
                raise AwsError("ValidationException", "Locales can only be added to the DRAFT version.")
            locale_id = params["localeId"]
            if locale_id in bot.versions[DRAFT]:
                raise AwsError("ConflictException", f"Locale {locale_id} already exists in bot {bot.id}.")
            created = now()
            record = {
                **params,
                "localeName": LOCALE_NAMES.get(locale_id, locale_id),
                "botLocaleStatus": "NotBuilt",
                "creationDateTime": created,
                "lastUpdatedDateTime": created,
            }
            locale = Locale(record)
            locale.intents[FALLBACK_INTENT_ID] = {
                "intentId": FALLBACK_INTENT_ID,
                "intentName": FALLBACK_INTENT_NAME,
                "description": "Default intent when no other intent matches",
                "parentIntentSignature": "AMAZON.FallbackIntent",
                "botId": bot.id,
                "botVersion": DRAFT,
                "localeId": locale_id,
                "creationDateTime": created,
                "lastUpdatedDateTime": created,
            }
            bot.versions[DRAFT][locale_id] = locale
            return {**record, "botLocaleStatus": "Creating"}

    def describe_bot_locale(self, params: Params, context: RequestContext) -> Params:
        locale = self._locale(params)
        return {
            **locale.record,
            "intentsCount": len(locale.intents),
            "slotTypesCount": len(locale.slot_types),
        }

    def update_bot_locale(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            locale.record.update(_fields(params))
            locale.touch()
            return locale.record

    def list_bot_locales(self, params: Params, context: RequestContext) -> Params:
        bot = self.store.bot(params["botId"])
        locales = [locale.record for locale in bot.versions.get(params["botVersion"], {}).values()]
        return {
            **_page(locales, params, "botLocaleSummaries"),
            **{k: params[k] for k in ("botId", "botVersion")},
        }

    def delete_bot_locale(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            self._draft(params)
            del self.store.bot(params["botId"]).versions[DRAFT][params["localeId"]]
        return {**params, "botLocaleStatus": "Deleting"}

    def build_bot_locale(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            submitted = now()
            model, failures = nlu.build_locale(locale)
            if model is None:
                locale.record.update(botLocaleStatus="Failed", failureReasons=failures)
            else:
                locale.built = model
                locale.record.update(botLocaleStatus="Built", failureReasons=[])
            locale.record["lastBuildSubmittedDateTime"] = submitted
        return {**params, "botLocaleStatus": "Building", "lastBuildSubmittedDateTime": submitted}

    # ------------------------------------------------------------------ intents
    def create_intent(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            _unique(locale.intents, "intentName", params["intentName"], "intent")
            created = now()
            intent_id = new_id()
            record = {
                **params,
                "intentId": intent_id,
                "creationDateTime": created,
                "lastUpdatedDateTime": created,
            }
            locale.intents[intent_id] = record
            locale.slots[intent_id] = {}
            locale.touch()
            return record

    def update_intent(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            old = locale.intent(params["intentId"])
            _unique(locale.intents, "intentName", params["intentName"], "intent", skip=params["intentId"])
            record = {**params, "creationDateTime": old["creationDateTime"], "lastUpdatedDateTime": now()}
            if old.get("parentIntentSignature") and "parentIntentSignature" not in record:
                record["parentIntentSignature"] = old["parentIntentSignature"]
            locale.intents[params["intentId"]] = record
            locale.touch()
            return record

    def describe_intent(self, params: Params, context: RequestContext) -> Params:
        return self._locale(params).intent(params["intentId"])

    def list_intents(self, params: Params, context: RequestContext) -> Params:
        locale = self._locale(params)
        intents = _name_filter(list(locale.intents.values()), params, "intentName")
        return {
            **_page(intents, params, "intentSummaries"),
            **{k: params[k] for k in ("botId", "botVersion", "localeId")},
        }

    def delete_intent(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            locale.intent(params["intentId"])
            if params["intentId"] == FALLBACK_INTENT_ID:
                raise AwsError("ValidationException", "The built-in FallbackIntent cannot be deleted.")
            del locale.intents[params["intentId"]]
            locale.slots.pop(params["intentId"], None)
            locale.touch()
        return {}

    # ------------------------------------------------------------------ slot types
    def create_slot_type(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            if params["slotTypeName"].startswith("AMAZON."):
                raise AwsError("ValidationException", "Slot type names starting with AMAZON. are reserved.")
            _unique(locale.slot_types, "slotTypeName", params["slotTypeName"], "slot type")
            created = now()
            slot_type_id = new_id()
            record = {
                **params,
                "slotTypeId": slot_type_id,
                "creationDateTime": created,
                "lastUpdatedDateTime": created,
            }
            locale.slot_types[slot_type_id] = record
            locale.touch()
            return record

    def update_slot_type(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            old = locale.slot_type(params["slotTypeId"])
            record = {**params, "creationDateTime": old["creationDateTime"], "lastUpdatedDateTime": now()}
            locale.slot_types[params["slotTypeId"]] = record
            locale.touch()
            return record

    def describe_slot_type(self, params: Params, context: RequestContext) -> Params:
        return self._locale(params).slot_type(params["slotTypeId"])

    def list_slot_types(self, params: Params, context: RequestContext) -> Params:
        types = _name_filter(list(self._locale(params).slot_types.values()), params, "slotTypeName")
        return {
            **_page(types, params, "slotTypeSummaries"),
            **{k: params[k] for k in ("botId", "botVersion", "localeId")},
        }

    def delete_slot_type(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            locale.slot_type(params["slotTypeId"])
            users = [
                s["slotName"]
                for slots in locale.slots.values()
                for s in slots.values()
                if s["slotTypeId"] == params["slotTypeId"]
            ]
            if users and not params.get("skipResourceInUseCheck"):
                raise AwsError(
                    "PreconditionFailedException", f"Slot type is used by slot(s) {', '.join(users)}."
                )
            del locale.slot_types[params["slotTypeId"]]
            locale.touch()
        return {}

    # ------------------------------------------------------------------ slots
    def create_slot(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            locale = self._draft(params)
            locale.intent(params["intentId"])
            slot_type = params["slotTypeId"]
            if not slot_type.startswith("AMAZON.") and slot_type not in locale.slot_types:
                raise AwsError(
                    "PreconditionFailedException", f"Slot type {slot_type} does not exist in this locale."
                )
            slots = locale.slots.setdefault(params["intentId"], {})
            _unique(slots, "slotName", params["slotName"], "slot")
            created = now()
            slot_id = new_id()
            record = {
                **params,
                "slotId": slot_id,
                "creationDateTime": created,
                "lastUpdatedDateTime": created,
            }
            slots[slot_id] = record
            locale.touch()
            return record

    def update_slot(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            slots = self._slots(params)
            old = self._slot(slots, params["slotId"])
            record = {**params, "creationDateTime": old["creationDateTime"], "lastUpdatedDateTime": now()}
            slots[params["slotId"]] = record
            self._draft(params).touch()
            return record

    def describe_slot(self, params: Params, context: RequestContext) -> Params:
        locale = self._locale(params)
        locale.intent(params["intentId"])
        return self._slot(locale.slots.get(params["intentId"], {}), params["slotId"])

    def list_slots(self, params: Params, context: RequestContext) -> Params:
        locale = self._locale(params)
        locale.intent(params["intentId"])
        slots = _name_filter(list(locale.slots.get(params["intentId"], {}).values()), params, "slotName")
        keys = ("botId", "botVersion", "localeId", "intentId")
        return {**_page(slots, params, "slotSummaries"), **{k: params[k] for k in keys}}

    def delete_slot(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            slots = self._slots(params)
            self._slot(slots, params["slotId"])
            del slots[params["slotId"]]
            self._draft(params).touch()
        return {}

    def _slots(self, params: Params) -> dict[str, Params]:
        locale = self._draft(params)
        locale.intent(params["intentId"])
        return locale.slots.setdefault(params["intentId"], {})

    @staticmethod
    def _slot(slots: dict[str, Params], slot_id: str) -> Params:
        if slot_id not in slots:
            raise AwsError(
                "ResourceNotFoundException", f"Failed to retrieve slot {slot_id}: it does not exist."
            )
        return slots[slot_id]

    # ------------------------------------------------------------------ versions
    def create_bot_version(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            bot = self.store.bot(params["botId"])
            wanted = list(params.get("botVersionLocaleSpecification") or {})
            for locale_id in wanted:
                if bot.locale(DRAFT, locale_id).built is None:
                    raise AwsError(
                        "PreconditionFailedException",
                        f"Locale {locale_id} of bot {bot.id} has never been built; "
                        "call BuildBotLocale first.",
                    )
            version = str(bot.next_version)
            bot.next_version += 1
            bot.versions[version] = bot.snapshot(wanted)
            for locale in bot.versions[version].values():
                locale.record["botVersion"] = version
            record = {**params, "botVersion": version, "botStatus": "Available", "creationDateTime": now()}
            bot.version_records[version] = {**record, "botName": bot.record["botName"]}
            return {**record, "botStatus": "Creating"}

    def describe_bot_version(self, params: Params, context: RequestContext) -> Params:
        bot = self.store.bot(params["botId"])
        if params["botVersion"] not in bot.version_records:
            raise AwsError(
                "ResourceNotFoundException", f"Failed to retrieve bot version {params['botVersion']}."
            )
        return bot.version_records[params["botVersion"]]

    def list_bot_versions(self, params: Params, context: RequestContext) -> Params:
        bot = self.store.bot(params["botId"])
        draft = {
            "botName": bot.record["botName"],
            "botVersion": DRAFT,
            "botStatus": "Available",
            "creationDateTime": bot.record["creationDateTime"],
        }
        versions = [draft, *bot.version_records.values()]
        return {**_page(versions, params, "botVersionSummaries"), "botId": bot.id}

    def delete_bot_version(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            bot = self.store.bot(params["botId"])
            version = params["botVersion"]
            if version not in bot.version_records:
                raise AwsError("ResourceNotFoundException", f"Failed to retrieve bot version {version}.")
            in_use = [a["botAliasName"] for a in bot.aliases.values() if a["botVersion"] == version]
            if in_use and not params.get("skipResourceInUseCheck"):
                raise AwsError(
                    "PreconditionFailedException",
                    f"Version {version} is used by alias(es) {', '.join(in_use)}.",
                )
            del bot.version_records[version]
            del bot.versions[version]
        return {"botId": bot.id, "botVersion": version, "botStatus": "Deleting"}

    # ------------------------------------------------------------------ aliases
    def create_bot_alias(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            bot = self.store.bot(params["botId"])
            self._check_version(bot, params.get("botVersion", DRAFT))
            _unique(bot.aliases, "botAliasName", params["botAliasName"], "bot alias")
            created = now()
            alias_id = new_id()
            record = {
                **params,
                "botAliasId": alias_id,
                "botVersion": params.get("botVersion", DRAFT),
                "botAliasStatus": "Available",
                "creationDateTime": created,
                "lastUpdatedDateTime": created,
            }
            bot.aliases[alias_id] = record
            return {**record, "botAliasStatus": "Creating"}

    def update_bot_alias(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            bot = self.store.bot(params["botId"])
            old = bot.alias(params["botAliasId"])
            self._check_version(bot, params.get("botVersion", old["botVersion"]))
            old.update(
                _fields(params),
                botVersion=params.get("botVersion", old["botVersion"]),
                lastUpdatedDateTime=now(),
            )
            return old

    def describe_bot_alias(self, params: Params, context: RequestContext) -> Params:
        return self.store.bot(params["botId"]).alias(params["botAliasId"])

    def list_bot_aliases(self, params: Params, context: RequestContext) -> Params:
        bot = self.store.bot(params["botId"])
        return {**_page(list(bot.aliases.values()), params, "botAliasSummaries"), "botId": bot.id}

    def delete_bot_alias(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            bot = self.store.bot(params["botId"])
            bot.alias(params["botAliasId"])
            del bot.aliases[params["botAliasId"]]
        return {"botAliasId": params["botAliasId"], "botId": bot.id, "botAliasStatus": "Deleting"}

    @staticmethod
    def _check_version(bot: Bot, version: str) -> None:
        if version != DRAFT and version not in bot.version_records:
            raise AwsError("PreconditionFailedException", f"Bot {bot.id} has no version {version}.")
