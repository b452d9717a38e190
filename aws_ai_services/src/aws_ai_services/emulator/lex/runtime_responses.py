"""Lex V2 runtime (lexv2-runtime): RecognizeText, RecognizeUtterance and sessions, against built bots.

The alias decides what is served (``TSTALIASID`` the draft's last build, other aliases their version).
Sessions are kept per bot, alias, locale and session id, and expire after the bot's
``idleSessionTTLInSeconds``. RecognizeUtterance returns its JSON headers gzip-compressed and base64-encoded
(``messages``, ``interpretations``, ``sessionState``, ``requestAttributes``, ``inputTranscript``), as Lex
does; it accepts the request's ``sessionState`` header base64-encoded, gzip-compressed or not.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
from datetime import timedelta
from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError, RequestContext
from multi_cloud.emulation.protocols.aws.routing import AwsResponder

from aws_ai_services.emulator.lex import dialog, speech
from aws_ai_services.emulator.lex.models import DRAFT, LexStore, Session, now
from aws_ai_services.emulator.lex.nlu import LocaleModel

Params = dict[str, Any]


def pack_header(value: Any) -> str:
    """gzip + base64 of the JSON form, as Lex encodes RecognizeUtterance's response headers."""
    return base64.b64encode(gzip.compress(json.dumps(value).encode("utf-8"))).decode("ascii")


def unpack_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        raw = base64.b64decode(value)
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw)
    except (binascii.Error, OSError, ValueError) as exc:
        raise AwsError("ValidationException", f"could not decode a base64 JSON header: {exc}") from exc


class LexRuntimeResponses(AwsResponder):
    service_name = "lexv2-runtime"
    validate_input = True

    def __init__(self, store: LexStore) -> None:
        self.store = store

    def _model(self, params: Params) -> LocaleModel:
        locale = self.store.served_locale(params["botId"], params["botAliasId"], params["localeId"])
        if locale.built is None:
            version = locale.record.get("botVersion", DRAFT)
            raise AwsError(
                "ResourceNotFoundException",
                f"Locale {params['localeId']} of bot {params['botId']} version {version} has not been built; "
                "call BuildBotLocale (and wait for botLocaleStatus Built) first.",
            )
        return locale.built  # type: ignore[no-any-return]

    def _session(self, params: Params) -> Session:
        key = (params["botId"], params["botAliasId"], params["localeId"], params["sessionId"])
        ttl = int(self.store.bot(params["botId"]).record.get("idleSessionTTLInSeconds", 300))
        session = self.store.sessions.get(key)
        if session is None or now() - session.last_used > timedelta(seconds=ttl):
            session = self.store.sessions[key] = Session()
        session.last_used = now()
        return session

    def _turn(self, params: Params, text: str, incoming: Any, context: RequestContext) -> dialog.Turn:
        with self.store.lock:
            model = self._model(params)
            session = self._session(params)
            turn = dialog.converse(model, session, text, incoming, context.request_id)
            session.messages, session.interpretations = turn.messages, turn.interpretations
            return turn

    def recognize_text(self, params: Params, context: RequestContext) -> Params:
        turn = self._turn(params, params.get("text", ""), params.get("sessionState"), context)
        return {
            "messages": turn.messages,
            "sessionState": turn.session_state,
            "interpretations": turn.interpretations,
            "requestAttributes": params.get("requestAttributes"),
            "sessionId": params["sessionId"],
        }

    def recognize_utterance(self, params: Params, context: RequestContext) -> Params:
        content_type = params.get("requestContentType", "")
        body: bytes = params.get("inputStream") or b""
        incoming = unpack_header(params.get("sessionState"))
        if content_type.lower().startswith("text/plain"):
            text, mode = body.decode("utf-8"), "Text"
        else:
            text, mode = self._hear(params, body, content_type, incoming), "Speech"
        turn = self._turn(params, text, incoming, context)
        model = self._model(params)
        response_type = params.get("responseContentType", "text/plain; charset=utf-8")
        output = {
            "inputMode": mode,
            "contentType": response_type,
            "messages": pack_header(turn.messages) if turn.messages else None,
            "interpretations": pack_header(turn.interpretations),
            "sessionState": pack_header(turn.session_state),
            "sessionId": params["sessionId"],
            "inputTranscript": pack_header(turn.input_transcript),
            "audioStream": speech.spoken_reply(turn.messages, model.voice_id, response_type),
        }
        if params.get("requestAttributes"):
            output["requestAttributes"] = pack_header(unpack_header(params["requestAttributes"]))
        return output

    def _hear(self, params: Params, body: bytes, content_type: str, incoming: Any) -> str:
        wav = speech.audio_to_wav(body, content_type)
        model = self._model(params)
        with self.store.lock:
            state = incoming or self._session(params).state
        eliciting = None
        if (state.get("dialogAction") or {}).get("type") == "ElicitSlot":
            intent = model.intent((state.get("intent") or {}).get("name", ""))
            if intent is not None:
                eliciting = (intent, state["dialogAction"].get("slotToElicit", ""))
        return speech.transcribe(wav, speech.grammar_phrases(model, eliciting), params["localeId"])

    # ------------------------------------------------------------------ sessions
    def get_session(self, params: Params, context: RequestContext) -> Params:
        key = (params["botId"], params["botAliasId"], params["localeId"], params["sessionId"])
        with self.store.lock:
            self.store.served_locale(params["botId"], params["botAliasId"], params["localeId"])
            session = self.store.sessions.get(key)
            if session is None:
                raise AwsError("ResourceNotFoundException", f"Session {params['sessionId']} does not exist.")
            return {
                "sessionId": params["sessionId"],
                "messages": session.messages,
                "interpretations": session.interpretations,
                "sessionState": session.state,
            }

    def put_session(self, params: Params, context: RequestContext) -> Params:
        with self.store.lock:
            self.store.served_locale(params["botId"], params["botAliasId"], params["localeId"])
            session = self._session(params)
            session.state = dict(params.get("sessionState") or {})
            session.messages = list(params.get("messages") or [])
            session.retries = 0
        return {
            "contentType": params.get("responseContentType", "application/json"),
            "messages": pack_header(session.messages) if session.messages else None,
            "sessionState": pack_header(session.state),
            "sessionId": params["sessionId"],
            "audioStream": b"",
        }

    def delete_session(self, params: Params, context: RequestContext) -> Params:
        key = (params["botId"], params["botAliasId"], params["localeId"], params["sessionId"])
        with self.store.lock:
            self.store.served_locale(params["botId"], params["botAliasId"], params["localeId"])
            if self.store.sessions.pop(key, None) is None:
                raise AwsError("ResourceNotFoundException", f"Session {params['sessionId']} does not exist.")
        return {key_: params[key_] for key_ in ("botId", "botAliasId", "localeId", "sessionId")}
