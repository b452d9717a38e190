"""Speech-to-Text v1 ``speech:recognize``: phrase recognition by pocketsphinx with a grammar of the hints.

Google biases free recognition towards ``speechContexts`` phrases and ``adaptation`` phrase sets; offline,
pocketsphinx's free dictation gets most words wrong, so the emulator recognises exactly one of the given
phrases (a JSGF grammar of them) and answers nothing when the audio holds none. A request without phrases
(free dictation) is ``UNIMPLEMENTED``; phrase sets and custom classes by reference are resources the local
cloud does not hold yet (``NOT_FOUND``). Audio: inline, or ``gs://`` from the local Cloud Storage; LINEAR16
(WAV, or raw with ``sampleRateHertz``), at most one minute; other encodings are ``UNIMPLEMENTED``.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.gcs_objects import read_object
from gcp_ai_services.emulator.quotas import Quotas, consumer
from gcp_ai_services.emulator.wire import (
    content_bytes,
    enum_field,
    invalid,
    member,
    numbered,
    text_field,
    unimplemented,
)

SERVICE = "speech.googleapis.com"
MAX_SYNC_SECONDS = 60.0
#: synchronous recognition's limit on audio (10 MB)
MAX_AUDIO_BYTES = 10 * 1024 * 1024
#: RecognitionConfig.AudioEncoding, numbered as in the proto
ENCODINGS = numbered(
    "ENCODING_UNSPECIFIED",
    "LINEAR16",
    "FLAC",
    "MULAW",
    "AMR",
    "AMR_WB",
    "OGG_OPUS",
    "SPEEX_WITH_HEADER_BYTE",
    "MP3",
    "WEBM_OPUS",
)
DICTATION_REASON = (
    "free dictation is not offered offline: pocketsphinx's general English model gets most words wrong; give "
    "the phrases to listen for in config.speechContexts[].phrases or config.adaptation.phraseSets"
)


class SpeechAPI:
    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", "/v1/speech:recognize", self.recognize)
        return routes

    def recognize(self, request: Any) -> dict[str, Any]:
        from multi_cloud.onprem.engines import stt

        body = json_body(request)
        config = member(body, "config")
        audio = member(body, "audio")
        language = text_field(config, "languageCode", "config.language_code")
        if not language:
            raise invalid("Invalid recognition 'config': language_code is required.")
        if language.split("-")[0].lower() not in stt.STT_LANGUAGES:
            raise unimplemented(
                f"recognition in {language!r}", "pocketsphinx ships only the US English acoustic model"
            )
        phrases = hint_phrases(config)
        wav = wav_audio(config, audio)
        self.quotas.charge(SERVICE, consumer(request))
        if not phrases:
            raise unimplemented("free dictation", DICTATION_REASON)
        transcript = stt.recognise(wav, phrases)
        if not transcript.text:
            return {"results": [], "totalBilledTime": _billed(wav)}
        alternatives: list[dict[str, Any]] = [
            {"transcript": transcript.text, "confidence": transcript.confidence}
        ]
        wanted = int(config.get("maxAlternatives", 1) or 1)
        alternatives += [{"transcript": other} for other in transcript.alternatives[: max(0, wanted - 1)]]
        return {
            "results": [{"alternatives": alternatives, "languageCode": language.lower()}],
            "totalBilledTime": _billed(wav),
        }


def hint_phrases(config: dict[str, Any]) -> list[str]:
    """The phrases of ``speechContexts`` and inline ``adaptation.phraseSets``, in order, without repeats."""
    found: list[str] = []
    contexts = config.get("speechContexts") or []
    if not isinstance(contexts, list):
        raise invalid("Invalid value at 'config.speech_contexts': expected a list.")
    for context in contexts:
        phrases = context.get("phrases") or [] if isinstance(context, dict) else None
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise invalid("Invalid value at 'config.speech_contexts[].phrases': expected a list of strings.")
        found += phrases
    adaptation = member(config, "adaptation", "config.adaptation")
    for reference in adaptation.get("phraseSetReferences") or []:
        raise GoogleError("NOT_FOUND", f"PhraseSet {reference} not found.")
    for custom in adaptation.get("customClasses") or []:
        name = custom.get("name", "") if isinstance(custom, dict) else ""
        raise unimplemented(
            f"custom class {name!r}", "custom classes are not expanded by the offline grammar"
        )
    for phrase_set in adaptation.get("phraseSets") or []:
        for phrase in (phrase_set.get("phrases") or []) if isinstance(phrase_set, dict) else []:
            value = phrase.get("value", "") if isinstance(phrase, dict) else ""
            if not isinstance(value, str) or not value:
                raise invalid("Invalid value at 'config.adaptation.phrase_sets[].phrases[].value'.")
            found.append(value)
    return list(dict.fromkeys(p for p in found if p.strip()))


def wav_audio(config: dict[str, Any], audio: dict[str, Any]) -> bytes:
    """The request's audio as a WAV file for the recogniser, with Speech-to-Text's checks."""
    from multi_cloud.core.errors import InvalidArgument
    from multi_cloud.onprem.engines.audio import pcm16_to_wav, read_wav

    uri = text_field(audio, "uri", "audio.uri")
    data = read_object(uri, MAX_AUDIO_BYTES) if uri else content_bytes(audio, "content", "audio.content")
    if not data:
        raise invalid("RecognitionAudio not set: audio.content is empty.")
    encoding = enum_field(config, "encoding", ENCODINGS, "ENCODING_UNSPECIFIED", "config.encoding")
    rate = int(config.get("sampleRateHertz", 0) or 0)
    is_wav = data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    if encoding not in ("ENCODING_UNSPECIFIED", "LINEAR16"):
        raise unimplemented(f"{encoding} audio", "only LINEAR16 (16-bit PCM) is decoded offline")
    if not is_wav and (encoding == "ENCODING_UNSPECIFIED" or not rate):
        raise invalid(
            "Invalid recognition 'config': bad encoding: the audio has no WAV header, so config.encoding "
            "LINEAR16 and config.sample_rate_hertz are required."
        )
    try:
        wav = data if is_wav else pcm16_to_wav(data, rate)
        pcm = read_wav(wav)
    except InvalidArgument as exc:
        raise invalid(f"Invalid audio: {exc.message}") from exc
    if is_wav and rate and rate != pcm.sample_rate:
        raise invalid(
            f"sample_rate_hertz ({rate}) in RecognitionConfig must either be unspecified or match the value "
            f"in the WAV header ({pcm.sample_rate})."
        )
    if pcm.duration_seconds > MAX_SYNC_SECONDS:
        raise invalid(
            "Sync input too long. For audio longer than 1 min use LongRunningRecognize with a "
            "'uri' parameter."
        )
    return wav


def _billed(wav: bytes) -> str:
    """The billed duration: the audio's length rounded up to the whole second (``"3s"``)."""
    import math

    from multi_cloud.onprem.engines.audio import read_wav

    return f"{math.ceil(read_wav(wav).duration_seconds)}s"
