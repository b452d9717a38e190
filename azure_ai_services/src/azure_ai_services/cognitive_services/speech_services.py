"""AzureSpeech: Speech over its REST APIs, as Microsoft documents them: text to speech (SSML in, audio out),
the voice list, and fast transcription with a phrase list.

The paths are the multi-service custom-domain forms (``{endpoint}/tts/cognitiveservices/v1``,
``{endpoint}/stt/speechtotext/transcriptions:transcribe``): one Azure AI services endpoint and key serve
them too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from multi_cloud.core.base import SpeechService
from multi_cloud.core.errors import CloudError, InvalidArgument, error_for_status
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import SpeechAudio, Transcript
from multi_cloud.local_cloud.limits import declared_limits

from azure_ai_services.clients import KEY_VARIABLE, ai_services_endpoint

TTS_PATH = "/tts/cognitiveservices/v1"
VOICES_PATH = "/tts/cognitiveservices/voices/list"
TRANSCRIBE_PATH = "/stt/speechtotext/transcriptions:transcribe"
TRANSCRIBE_API_VERSION = "2024-11-15"
OUTPUT_FORMAT = "riff-24khz-16bit-mono-pcm"
SAMPLE_RATE = 24_000
TIMEOUT = 120.0
#: the emulator backend whose declared limits apply in local mode
EMULATOR = "azure"


class AzureSpeech(SpeechService):
    """Voices are Azure short names (``en-US-AvaNeural``); audio is 24 kHz 16-bit mono WAV."""

    def __init__(self, provider: str, settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.unsupported = {
            key: reason
            for key, reason in declared_limits([EMULATOR], self.settings).items()
            if key.startswith("speech.")
        }

    def _call(self, operation: str, method: str, path: str, **request: Any) -> Any:
        import requests

        headers = {
            "Ocp-Apim-Subscription-Key": os.environ.get(KEY_VARIABLE, ""),
            **request.pop("headers", {}),
        }
        url = ai_services_endpoint(self.settings).rstrip("/") + path
        try:
            response = requests.request(method, url, headers=headers, timeout=TIMEOUT, **request)
        except requests.RequestException as exc:
            raise CloudError(str(exc), provider=self.provider, operation=operation) from exc
        if response.status_code >= 400:
            try:
                error = response.json().get("error", {})
            except ValueError:
                error = {}
            failure = error_for_status(response.status_code, str(error.get("message") or response.text))
            failure.code, failure.provider, failure.operation = (
                str(error.get("code", "")),
                self.provider,
                operation,
            )
            raise failure
        return response

    def voices(self, *, language: str = "") -> list[str]:
        listed = self._call("speech.voices", "GET", VOICES_PATH).json()
        return [
            v["ShortName"] for v in listed if not language or v["Locale"].lower().startswith(language.lower())
        ]

    def synthesize(self, text: str, *, voice: str = "", language: str = "en-US") -> SpeechAudio:
        """SSML ``<speak><voice name=...>text</voice></speak>`` to ``/cognitiveservices/v1``."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidArgument("text to speak is empty", provider=self.provider)
        name = voice or next(iter(self.voices(language=language)), f"{language}-AvaNeural")
        ssml = (
            f"<speak version='1.0' xml:lang={quoteattr(language)}>"
            f"<voice name={quoteattr(name)}>{escape(text)}</voice></speak>"
        )
        response = self._call(
            "speech.synthesize",
            "POST",
            TTS_PATH,
            data=ssml.encode(),
            headers={"Content-Type": "application/ssml+xml", "X-Microsoft-OutputFormat": OUTPUT_FORMAT},
        )
        return SpeechAudio(
            audio=response.content, content_type="audio/wav", sample_rate=SAMPLE_RATE, voice=name
        )

    def transcribe(self, audio: bytes, *, language: str = "en-US", phrases: Sequence[str] = ()) -> Transcript:
        """Fast transcription with ``definition.phraseList`` (without phrases: :meth:`dictate`)."""
        if not phrases:
            return self.dictate(audio, language=language)
        return self._transcribe(audio, {"locales": [language], "phraseList": list(phrases)})

    def dictate(self, audio: bytes, *, language: str = "en-US") -> Transcript:
        if "speech.dictate" in self.unsupported:
            raise self._unsupported("dictate")
        return self._transcribe(audio, {"locales": [language]})

    def _transcribe(self, audio: bytes, definition: dict[str, Any]) -> Transcript:
        if not isinstance(audio, (bytes, bytearray)) or not audio:
            raise InvalidArgument("audio is empty; send the bytes of a WAV file", provider=self.provider)
        answer = self._call(
            "speech.transcribe",
            "POST",
            TRANSCRIBE_PATH,
            params={"api-version": TRANSCRIBE_API_VERSION},
            files={
                "audio": ("audio.wav", bytes(audio), "audio/wav"),
                "definition": (None, json.dumps(definition)),
            },
        ).json()
        phrases = answer.get("phrases") or []
        text = " ".join(p["text"] for p in phrases).strip()
        confidence = min((p.get("confidence", 0.0) for p in phrases), default=0.0)
        return Transcript(text=text, confidence=confidence)
