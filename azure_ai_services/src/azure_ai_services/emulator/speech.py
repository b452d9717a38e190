"""Speech: text to speech (``/cognitiveservices/v1``, SSML in, WAV out), the voice list, and fast
transcription with a phrase list (``/speechtotext/transcriptions:transcribe``), computed by espeak-ng and
pocketsphinx. Each route also answers under the multi-service prefixes ``/tts`` and ``/stt``.

Recognition needs ``definition.phraseList``: pocketsphinx recognises one of the listed phrases (Azure only
biases towards them); free dictation, and the short-audio REST API that has no phrase list, answer 501.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import InvalidArgument, MissingDependency
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes

from azure_ai_services.emulator.service_errors import ServiceError, invalid_request, not_computed
from azure_ai_services.emulator.unversioned_routes import PathVersionedRoutes

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

DICTATION_REASON = (
    "free dictation: pocketsphinx's general English model gets most words wrong; send "
    'definition={"phraseList": [...]} to fast transcription to recognise one of known phrases'
)
FAST_TRANSCRIPTION_VERSIONS = ("2024-11-15", "2025-10-15")
#: X-Microsoft-OutputFormat values the emulator renders: riff (WAV) or raw 16-bit mono PCM
_PCM_FORMAT = re.compile(
    r"^(?P<container>riff|raw)-(?P<khz>8|16|22050hz|24|44100hz|48)(?:khz)?-16bit-mono-pcm$"
)
#: Azure's neural voice names: ``en-US-AvaMultilingualNeural`` -> locale en-US
_VOICE_NAME = re.compile(r"^(?P<locale>[a-z]{2,3}-[A-Z]{2})-\w+$")


def _rate(khz: str) -> int:
    return {"22050hz": 22050, "44100hz": 44100}.get(khz) or int(khz) * 1000


def voice_name(espeak_voice: str) -> str | None:
    """The Azure-style name of an espeak-ng voice with a region (``en-us`` -> ``en-US-EspeakNeural``)."""
    language, _, region = espeak_voice.partition("-")
    if len(region) != 2 or not language.isalpha():
        return None
    return f"{language}-{region.upper()}-EspeakNeural"


class Speech:
    """Text to speech, the voice list, and phrase recognition."""

    def routes(self) -> list[AzureRoutes]:
        unversioned: dict[tuple[str, str], Any] = {}
        for prefix in ("", "/tts"):
            unversioned[("POST", f"{prefix}/cognitiveservices/v1")] = self.synthesize
            unversioned[("GET", f"{prefix}/cognitiveservices/voices/list")] = self.voices
        for prefix in ("", "/stt"):
            path = f"{prefix}/speech/recognition/conversation/cognitiveservices/v1"
            unversioned[("POST", path)] = self.short_audio
        transcription = {
            ("POST", f"{prefix}/speechtotext/transcriptions:transcribe"): self.transcribe
            for prefix in ("", "/stt")
        }
        return [
            PathVersionedRoutes(unversioned),
            AzureRoutes(transcription, api_versions=FAST_TRANSCRIPTION_VERSIONS),
        ]

    def voices(self, request: Request) -> list[dict[str, Any]]:
        from multi_cloud.onprem.engines import tts

        listed = []
        for espeak_voice in tts.installed_voices():
            name = voice_name(espeak_voice)
            if name is None:
                continue
            locale = name.rsplit("-", 1)[0]
            listed.append(
                {
                    "Name": f"Microsoft Server Speech Text to Speech Voice ({locale}, EspeakNeural)",
                    "DisplayName": f"eSpeak NG {espeak_voice}",
                    "ShortName": name,
                    "Gender": "Neutral",
                    "Locale": locale,
                    "SampleRateHertz": "22050",
                    "VoiceType": "Neural",
                    "Status": "GA",
                }
            )
        return listed

    def synthesize(self, request: Request) -> Response:
        from multi_cloud.onprem.engines import audio, tts
        from werkzeug.wrappers import Response

        output = (request.headers.get("X-Microsoft-OutputFormat") or "").strip().lower()
        found = _PCM_FORMAT.match(output)
        if not output:
            raise invalid_request("InvalidOutputFormat", "The X-Microsoft-OutputFormat header is required.")
        if found is None:
            raise not_computed(f"output format {output}", "the local synthesizer writes 16-bit mono PCM only")
        text, locale, _voice = _read_ssml(request.get_data(as_text=True))
        try:
            espeak_voice = tts.choose_voice("", locale)
            spoken = tts.synthesize(text, espeak_voice)
        except InvalidArgument as exc:
            raise invalid_request("InvalidSsml", exc.message) from exc
        except MissingDependency as exc:
            raise not_computed("text to speech", exc.message) from exc
        pcm = audio.resample(audio.read_wav(spoken.audio), _rate(found.group("khz")))
        body = audio.write_wav(pcm.samples, pcm.sample_rate)
        if found.group("container") == "raw":
            return Response(body[44:], content_type="audio/basic")
        return Response(body, content_type="audio/x-wav")

    def short_audio(self, request: Request) -> dict[str, Any]:
        raise not_computed("short-audio recognition without a phrase list", DICTATION_REASON)

    def transcribe(self, request: Request) -> dict[str, Any]:
        from multi_cloud.onprem.engines import audio, stt

        upload = request.files.get("audio")
        if upload is None:
            raise invalid_request("InvalidArgument", "The multipart field 'audio' is required.")
        definition = _definition(request.form.get("definition", "{}"))
        locales = definition.get("locales") or ["en-US"]
        phrases = definition.get("phraseList") or []
        if not isinstance(locales, list) or not all(isinstance(locale, str) for locale in locales):
            raise invalid_request("InvalidArgument", "definition.locales must be a list of locale names.")
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise invalid_request("InvalidArgument", "definition.phraseList must be a list of strings.")
        if not phrases:
            raise not_computed("transcription without definition.phraseList", DICTATION_REASON)
        if any(not str(locale).lower().startswith("en") for locale in locales):
            raise invalid_request("InvalidLocale", f"the local recognizer knows en-US only, not {locales}")
        data = upload.read()
        try:
            duration_ms = round(audio.read_wav(data).duration_seconds * 1000)
            found = stt.recognise(data, phrases)
        except InvalidArgument as exc:
            raise ServiceError(400, "InvalidAudioFormat", exc.message) from exc
        except MissingDependency as exc:
            raise not_computed("speech recognition", exc.message) from exc
        phrase_results = []
        if found.text:
            phrase_results.append(
                {
                    "offsetMilliseconds": 0,
                    "durationMilliseconds": duration_ms,
                    "text": found.text,
                    "locale": "en-US",
                    "confidence": round(found.confidence, 4),
                }
            )
        return {
            "durationMilliseconds": duration_ms,
            "combinedPhrases": [{"text": found.text}],
            "phrases": phrase_results,
        }


def _definition(text: str) -> dict[str, Any]:
    try:
        definition = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise invalid_request("InvalidArgument", f"definition is not valid JSON: {exc}") from exc
    if not isinstance(definition, dict):
        raise invalid_request("InvalidArgument", "definition must be a JSON object.")
    return definition


def _read_ssml(ssml: str) -> tuple[str, str, str]:
    """(text, locale, voice name) from ``<speak xml:lang><voice name>text</voice></speak>``."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(ssml)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise invalid_request("InvalidSsml", f"The SSML is not well-formed XML: {exc}") from exc
    if not root.tag.endswith("speak"):
        raise invalid_request("InvalidSsml", "The SSML root element must be <speak>.")
    voice = next((element for element in root.iter() if element.tag.endswith("voice")), None)
    name = voice.get("name", "") if voice is not None else ""
    match = _VOICE_NAME.match(name)
    if match is None:
        raise invalid_request(
            "InvalidVoice", f"Unsupported voice {name!r}: use a name such as en-US-AvaNeural."
        )
    text = "".join(root.itertext()).strip()
    if not text:
        raise invalid_request("InvalidSsml", "The SSML contains no text to speak.")
    return text, match.group("locale"), name
