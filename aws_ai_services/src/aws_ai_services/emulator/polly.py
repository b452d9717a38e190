"""Amazon Polly SynthesizeSpeech and DescribeVoices, spoken offline by espeak-ng.

Polly's voice ids (``Joanna``, ``Hans``...) map to espeak-ng voices (``catalog/polly_voices.tsv``), so code
written for Polly runs unchanged. ``pcm``, ``mulaw`` and ``alaw`` are computed; ``mp3``, ``ogg_vorbis`` and
``ogg_opus`` need an encoder that is not installed offline, and ``json`` speech marks need word timings
espeak-ng does not report: those answer 501. Only the ``standard`` engine exists offline.
"""

from __future__ import annotations

import re
from typing import Any

from multi_cloud.core.errors import CloudError, InvalidArgument
from multi_cloud.emulation.protocols.aws.errors import AwsError, ErrorCodes, RequestContext, not_implemented
from multi_cloud.emulation.protocols.aws.routing import AwsResponder, service_model

from aws_ai_services.emulator import polly_audio, polly_voices

MAX_BILLED_CHARACTERS = 3000
MAX_TOTAL_CHARACTERS = 6000
NOT_ENCODED = {
    "mp3": "no MP3 encoder is installed offline",
    "ogg_vorbis": "no Ogg Vorbis encoder is installed offline",
    "ogg_opus": "no Ogg Opus encoder is installed offline",
    "json": "speech marks need word and viseme timings, which espeak-ng does not report",
}
_TAG = re.compile(r"<[^>]*>")


class PollyResponses(AwsResponder):
    service_name = "polly"
    validate_input = True
    error_codes = ErrorCodes(invalid="ValidationException", unavailable="ServiceFailureException")

    def map_error(self, exc: CloudError, operation: str) -> AwsError:
        if isinstance(exc, InvalidArgument):
            return AwsError("ValidationException", exc.message)
        return super().map_error(exc, operation)

    def describe_voices(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        language, engine = params.get("LanguageCode"), params.get("Engine")
        voices = [
            voice.describe()
            for voice in polly_voices.installed()
            if (not language or voice.language_code == language) and engine in (None, "standard")
        ]
        return {"Voices": voices}

    def synthesize_speech(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        from multi_cloud.onprem.engines import tts

        text, text_type = params.get("Text", ""), params.get("TextType", "text")
        output_format = params.get("OutputFormat", "")
        voice = self._voice(params.get("VoiceId", ""))
        engine = params.get("Engine", "standard")
        if engine != "standard":
            raise not_implemented(
                "Polly SynthesizeSpeech", f"only the standard engine is emulated (espeak-ng), not {engine!r}"
            )
        if output_format in NOT_ENCODED:
            raise not_implemented(
                "Polly SynthesizeSpeech",
                f"OutputFormat {output_format!r}: {NOT_ENCODED[output_format]}; ask for 'pcm' (16-bit "
                "little-endian mono), 'mulaw' or 'alaw'",
            )
        if output_format not in polly_audio.CONTENT_TYPES:
            raise _validation(
                "outputFormat",
                output_format,
                ["json", "mp3", "ogg_opus", "ogg_vorbis", "pcm", "mulaw", "alaw"],
            )
        rate = self._sample_rate(output_format, params.get("SampleRate"))
        billed = self._check_text(text, text_type)
        wav = tts.synthesize(text, voice.espeak).audio
        return {
            "AudioStream": polly_audio.encode(wav, output_format, int(rate)),
            "ContentType": polly_audio.CONTENT_TYPES[output_format],
            "RequestCharacters": billed,
        }

    def _voice(self, voice_id: str) -> polly_voices.PollyVoice:
        known = list(service_model("polly").shape_for("VoiceId").enum)
        if voice_id not in known:
            raise _validation("voiceId", voice_id, known)
        voice = polly_voices.find(voice_id)
        if voice is None:
            raise not_implemented(
                "Polly SynthesizeSpeech",
                f"voice {voice_id} has no offline espeak-ng counterpart here; DescribeVoices lists "
                "those that do",
            )
        return voice

    @staticmethod
    def _sample_rate(output_format: str, requested: str | None) -> str:
        rate = requested or polly_audio.DEFAULT_RATES[output_format]
        allowed = polly_audio.PCM_RATES if output_format == "pcm" else polly_audio.G711_RATES
        if rate not in allowed:
            raise AwsError(
                "InvalidSampleRateException",
                f"The sample rate {rate} is not valid for {output_format}; valid rates: {', '.join(allowed)}",
            )
        return rate

    @staticmethod
    def _check_text(text: str, text_type: str) -> int:
        """Polly's length limits; returns the billed characters (SSML tags are not billed)."""
        if text_type == "ssml":
            _check_ssml(text)
        billed = len(_TAG.sub("", text)) if text_type == "ssml" else len(text)
        if billed > MAX_BILLED_CHARACTERS or len(text) > MAX_TOTAL_CHARACTERS:
            raise AwsError(
                "TextLengthExceededException",
                f"Maximum text length has been exceeded: {billed} billed characters (limit "
                f"{MAX_BILLED_CHARACTERS}), {len(text)} in all (limit {MAX_TOTAL_CHARACTERS})",
            )
        if not _TAG.sub("", text).strip():
            raise AwsError("ValidationException", "Text must contain at least one character to speak")
        return billed


def _check_ssml(text: str) -> None:
    """``InvalidSsmlException`` unless ``text`` is one well-formed ``<speak>`` document (no DTD)."""
    from xml.etree import ElementTree

    if not text.lstrip().startswith("<speak"):
        raise AwsError("InvalidSsmlException", "Invalid SSML request: the text must start with <speak>")
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise AwsError(
            "InvalidSsmlException", "Invalid SSML request: DTDs and entity declarations are refused"
        )
    try:
        ElementTree.fromstring(text)  # noqa: S314 - DTDs (entity expansion) are refused just above
    except ElementTree.ParseError as exc:
        raise AwsError("InvalidSsmlException", f"Invalid SSML request: {exc}") from exc


def _validation(field: str, value: str, allowed: list[str]) -> AwsError:
    return AwsError(
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]",
    )
