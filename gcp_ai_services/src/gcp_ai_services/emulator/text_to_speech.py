"""Text-to-Speech v1: ``text:synthesize`` and ``voices`` spoken offline by espeak-ng.

``LINEAR16`` is computed (16-bit mono PCM in a WAV container, as Google returns it) at the requested
``sampleRateHertz`` or 24 kHz. MP3 and Ogg Opus need encoders that are not installed offline, and speaking
rate, pitch and gain other than the defaults are not applied by the offline voice: those are
``UNIMPLEMENTED``, so no answer pretends to honour them. Unknown voice names are ``INVALID_ARGUMENT``.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator import tts_voices
from gcp_ai_services.emulator.quotas import Quotas, consumer
from gcp_ai_services.emulator.wire import (
    encode_bytes,
    enum_field,
    invalid,
    member,
    number_field,
    numbered,
    text_field,
    unimplemented,
)

SERVICE = "texttospeech.googleapis.com"
MAX_INPUT_BYTES = 5000
#: AudioEncoding, numbered as in the proto (4 is unused)
AUDIO_ENCODINGS = {
    "AUDIO_ENCODING_UNSPECIFIED": 0,
    "LINEAR16": 1,
    "MP3": 2,
    "OGG_OPUS": 3,
    "MULAW": 5,
    "ALAW": 6,
    "PCM": 7,
    "M4A": 8,
}
GENDERS = numbered("SSML_VOICE_GENDER_UNSPECIFIED", "MALE", "FEMALE", "NEUTRAL")
NOT_ENCODED = {
    "MP3": "no MP3 encoder is installed offline; ask for LINEAR16",
    "OGG_OPUS": "no Opus encoder is installed offline; ask for LINEAR16",
    "M4A": "no AAC encoder is installed offline; ask for LINEAR16",
    "MULAW": "G.711 output is not wired into this emulator yet; ask for LINEAR16",
    "ALAW": "G.711 output is not wired into this emulator yet; ask for LINEAR16",
    "PCM": "headerless PCM is not wired into this emulator yet; ask for LINEAR16",
}
#: (field, default, lowest, highest) of AudioConfig's prosody controls
PROSODY = (("speakingRate", 1.0, 0.25, 4.0), ("pitch", 0.0, -20.0, 20.0), ("volumeGainDb", 0.0, -96.0, 16.0))


class TextToSpeechAPI:
    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", "/v1/text:synthesize", self.synthesize)
        routes.add("GET", "/v1/voices", self.list_voices)
        return routes

    def list_voices(self, request: Any) -> dict[str, Any]:
        language = request.args.get("languageCode", "")
        return {"voices": [voice.describe() for voice in tts_voices.matching(language)]}

    def synthesize(self, request: Any) -> dict[str, Any]:
        from multi_cloud.onprem.engines import tts

        body = json_body(request)
        text, ssml = _input(member(body, "input"))
        voice = _voice(member(body, "voice"))
        config = member(body, "audioConfig", "audio_config")
        encoding = enum_field(
            config,
            "audioEncoding",
            AUDIO_ENCODINGS,
            "AUDIO_ENCODING_UNSPECIFIED",
            "audio_config.audio_encoding",
        )
        if encoding == "AUDIO_ENCODING_UNSPECIFIED":
            raise invalid("AudioConfig.audio_encoding is required.")
        if encoding in NOT_ENCODED:
            raise unimplemented(f"{encoding} audio", NOT_ENCODED[encoding])
        _check_prosody(config)
        rate = int(number_field(config, "sampleRateHertz", 0, "audio_config.sample_rate_hertz")) or (
            tts_voices.NATURAL_SAMPLE_RATE
        )
        if not 8000 <= rate <= 48000:
            raise invalid(f"audio_config.sample_rate_hertz {rate} is out of range (8000..48000).")
        self.quotas.charge(SERVICE, consumer(request))
        try:
            spoken = tts.synthesize(ssml or text, voice.espeak)
        except InvalidArgument as exc:
            raise invalid(exc.message) from exc
        return {"audioContent": encode_bytes(_at_rate(spoken.audio, rate))}


def _input(synthesis_input: dict[str, Any]) -> tuple[str, str]:
    text = text_field(synthesis_input, "text", "input.text")
    ssml = text_field(synthesis_input, "ssml", "input.ssml")
    if bool(text) == bool(ssml):
        raise invalid("Exactly one of input.text and input.ssml must be set.")
    if len((text or ssml).encode("utf-8")) > MAX_INPUT_BYTES:
        raise invalid(
            f"Either `input.text` or `input.ssml` is longer than the limit of {MAX_INPUT_BYTES} bytes."
        )
    if ssml and not ssml.lstrip().startswith("<speak"):
        raise invalid("Invalid SSML: the document must be a <speak> element.")
    if not (text or ssml).strip():
        raise invalid("input.text is empty: there is nothing to speak.")
    return text, ssml


def _voice(selection: dict[str, Any]) -> tts_voices.GoogleVoice:
    name = text_field(selection, "name", "voice.name")
    language = text_field(selection, "languageCode", "voice.language_code")
    gender = enum_field(
        selection, "ssmlGender", GENDERS, "SSML_VOICE_GENDER_UNSPECIFIED", "voice.ssml_gender"
    )
    if name:
        found = next((v for v in tts_voices.catalog() if v.name == name), None)
        if found is None:
            raise invalid(f"Voice '{name}' does not exist. Is it misspelled?")
        if found not in tts_voices.installed():
            raise unimplemented(
                f"voice {name}", f"espeak-ng has no {found.espeak.split('+')[0]!r} voice here"
            )
        return found
    if not language:
        raise invalid("Voice.language_code is required.")
    candidates = tts_voices.matching(language)
    preferred = [v for v in candidates if gender in ("SSML_VOICE_GENDER_UNSPECIFIED", "NEUTRAL", v.gender)]
    if not (preferred or candidates):
        raise invalid(f"No voice found for language code {language!r} (list them with voices.list).")
    return (preferred or candidates)[0]


def _check_prosody(config: dict[str, Any]) -> None:
    for field, default, lowest, highest in PROSODY:
        value = number_field(config, field, default, f"audio_config.{field}")
        if value == 0.0 and field == "speakingRate":
            continue  # 0 means "unset", i.e. the normal rate
        if not lowest <= value <= highest:
            raise invalid(f"audio_config.{field} {value} is out of range ({lowest}..{highest}).")
        if value != default:
            raise unimplemented(
                f"audio_config.{field} {value}", "the offline voice is spoken at its defaults"
            )
    if config.get("effectsProfileId"):
        raise unimplemented(
            "audio_config.effects_profile_id", "device effects profiles are not applied offline"
        )


def _at_rate(wav: bytes, rate: int) -> bytes:
    from multi_cloud.onprem.engines.audio import read_wav, resample, write_wav

    pcm = read_wav(wav)
    return wav if pcm.sample_rate == rate else write_wav(resample(pcm, rate).samples, rate)
