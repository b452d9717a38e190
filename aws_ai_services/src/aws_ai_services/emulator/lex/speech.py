"""Speech for the Lex V2 runtime: audio content types, a recognition grammar from the bot, spoken replies.

Requests carry ``audio/l16; rate=16000; channels=1`` (also ``audio/x-l16; sample-rate=...`` and
``audio/lpcm; sample-rate=...; sample-size-bits=16; is-big-endian=false``), i.e. raw 16-bit little-endian
mono PCM. Recognition is pocketsphinx constrained to what the bot can understand: every sample utterance
with each ``{Slot}`` expanded to the slot type's values and synonyms (built-in types: a few spoken
examples from :mod:`.slot_values`), or, while a slot is elicited, that slot's values.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError, not_implemented

from aws_ai_services.emulator.lex import slot_values
from aws_ai_services.emulator.lex.nlu import IntentModel, LocaleModel, SlotTypeModel

MAX_PHRASES = 1000
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_-]+)\}")


def media_parameters(content_type: str) -> tuple[str, dict[str, str]]:
    """``("audio/l16", {"rate": "16000", ...})`` from a content type with parameters."""
    kind, *parameters = [part.strip() for part in content_type.split(";")]
    pairs = dict(p.split("=", 1) for p in parameters if "=" in p)
    return kind.lower(), {key.strip().lower(): value.strip().lower() for key, value in pairs.items()}


def audio_to_wav(body: bytes, content_type: str) -> bytes:
    """The request's PCM as a WAV file; 501 for compressed audio (Opus), 400 for unknown types."""
    from multi_cloud.onprem.engines.audio import pcm16_to_wav

    kind, parameters = media_parameters(content_type)
    if kind in ("audio/l16", "audio/x-l16", "audio/lpcm"):
        if (
            parameters.get("is-big-endian", "false") == "true"
            or parameters.get("sample-size-bits", "16") != "16"
        ):
            raise AwsError(
                "ValidationException", f"Only 16-bit little-endian PCM is supported, got {content_type}"
            )
        rate = int(parameters.get("rate") or parameters.get("sample-rate") or 16000)
        return pcm16_to_wav(body, rate)
    if kind in ("audio/x-cbr-opus-with-preamble", "audio/ogg", "audio/opus"):
        raise not_implemented(
            "Lex RecognizeUtterance",
            f"{kind} needs an Opus decoder, which is not installed offline; send audio/l16",
        )
    raise AwsError("ValidationException", f"Unsupported content type for requestContentType: {content_type}")


def _spoken_values(slot_type: SlotTypeModel) -> list[str]:
    if slot_type.builtin:
        return slot_values.SPOKEN_EXAMPLES.get(slot_type.builtin, [])
    return [value for canonical, synonyms in slot_type.values for value in (canonical, *synonyms)]


def _expansions(intent: IntentModel, utterance: str) -> list[str]:
    names = _PLACEHOLDER.findall(utterance)
    choices = []
    for name in names:
        slot = intent.slot(name)
        values = _spoken_values(slot.type) if slot else []
        if not values:
            return []
        choices.append(values)
    phrases = []
    literal = _PLACEHOLDER.split(utterance)[::2]  # the text around the placeholders
    for combination in itertools.islice(itertools.product(*choices), MAX_PHRASES):
        pieces = [part for pair in zip(literal, [*combination, ""], strict=True) for part in pair]
        phrases.append("".join(pieces))
    return phrases


def grammar_phrases(model: LocaleModel, eliciting: tuple[IntentModel, str] | None = None) -> list[str]:
    """What the recogniser may hear: the elicited slot's values and every expanded sample utterance."""
    phrases: list[str] = []
    if eliciting is not None:
        intent, slot_name = eliciting
        slot = intent.slot(slot_name)
        phrases += _spoken_values(slot.type) if slot else []
    for intent in model.intents:
        for template in intent.templates:
            phrases += _expansions(intent, template.utterance)
    return list(dict.fromkeys(phrases))[:MAX_PHRASES]


def transcribe(wav: bytes, phrases: list[str], locale_id: str) -> str:
    from multi_cloud.onprem.speech import OnPremSpeech

    language = locale_id.replace("_", "-")
    if not language.lower().startswith("en"):
        raise not_implemented(
            "Lex RecognizeUtterance", f"offline speech recognition is US English only, not {locale_id}"
        )
    if not phrases:
        return ""
    transcript: Any = OnPremSpeech("aws-emulator").transcribe(wav, language="en-US", phrases=phrases)
    return str(transcript.text)


def spoken_reply(messages: list[dict[str, Any]], voice_id: str, response_type: str) -> bytes:
    """The messages as ``audio/pcm`` (16 kHz) in the locale's Polly voice; empty for text responses."""
    from multi_cloud.onprem.engines import tts

    from aws_ai_services.emulator import polly_audio, polly_voices

    kind, _ = media_parameters(response_type or "text/plain")
    if kind.startswith("text/"):
        return b""
    if kind != "audio/pcm":
        raise not_implemented(
            "Lex RecognizeUtterance", f"responseContentType {kind}: only audio/pcm is encoded offline"
        )
    text = " ".join(str(m.get("content", "")) for m in messages).strip()
    if not text:
        return b""
    voice = polly_voices.find(voice_id) if voice_id else None
    wav = tts.synthesize(text, voice.espeak if voice else "en-us").audio
    return polly_audio.encode(wav, "pcm", 16000)
