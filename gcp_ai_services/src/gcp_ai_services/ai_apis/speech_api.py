"""CloudSpeech: Speech-to-Text v1 ``recognize`` with phrase hints, and Text-to-Speech v1 ``synthesize``.

Recognition sends WAV (LINEAR16 with its header, so no encoding or rate need be given) and the phrases to
listen for as a ``SpeechContext``: Google biases recognition towards them (the local emulator recognises
exactly one of them). Synthesis asks for ``LINEAR16``, which Google returns as a WAV file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from multi_cloud.core.base import SpeechService
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import SpeechAudio, Transcript
from multi_cloud.local_cloud.limits import declared_limits

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import google_client

AI_BACKEND = "gcp"
LINEAR16 = 1  # texttospeech AudioEncoding.LINEAR16: 16-bit PCM in a WAV container
MAX_ALTERNATIVES = 30  # Speech-to-Text's bound on maxAlternatives


class CloudSpeech(SpeechService):
    """Text-to-Speech voices (``"en-US-Standard-C"``) and Speech-to-Text behind the portable SpeechService."""

    def __init__(self, provider: str = "gcp", settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        local_limits = declared_limits([AI_BACKEND], self.settings)
        self.unsupported = {key: reason for key, reason in local_limits.items() if key.startswith("speech.")}

    @property
    def speech_client(self) -> Any:
        """The official ``speech_v1.SpeechClient``."""
        return google_client("speech", self.settings)

    @property
    def tts_client(self) -> Any:
        """The official ``texttospeech_v1.TextToSpeechClient``."""
        return google_client("texttospeech", self.settings)

    # ------------------------------------------------------------------ text to speech
    def voices(self, *, language: str = "") -> list[str]:
        """Voice names (``en-US-Standard-C``...) of ``language`` (``en-US`` or ``en``; all when empty)."""
        with google_errors("speech.voices"):
            response = self.tts_client.list_voices(language_code=language)
        return [voice.name for voice in response.voices]

    def synthesize(self, text: str, *, voice: str = "", language: str = "en-US") -> SpeechAudio:
        """A WAV of ``text`` spoken by ``voice`` (or the first voice of ``language``)."""
        selection = {"language_code": language, **({"name": voice} if voice else {})}
        if voice:
            selection["language_code"] = "-".join(voice.split("-")[:2])
        with google_errors("speech.synthesize"):
            response = self.tts_client.synthesize_speech(
                input={"text": text}, voice=selection, audio_config={"audio_encoding": LINEAR16}
            )
        audio = bytes(response.audio_content)
        return SpeechAudio(audio=audio, content_type="audio/wav", sample_rate=_wav_rate(audio), voice=voice)

    # ------------------------------------------------------------------ speech to text
    def recognize(self, audio: bytes, *, language: str = "en-US", phrases: Sequence[str] = ()) -> Any:
        """The ``RecognizeResponse`` for WAV ``audio``, biased towards ``phrases``."""
        if isinstance(phrases, str):
            raise InvalidArgument("phrases must be a list of strings, not one string", provider=self.provider)
        config: dict[str, Any] = {"language_code": language}
        if phrases:
            config["speech_contexts"] = [{"phrases": list(phrases)}]
            config["max_alternatives"] = min(len(phrases), MAX_ALTERNATIVES)
        with google_errors("speech.transcribe"):
            return self.speech_client.recognize(config=config, audio={"content": bytes(audio)})

    def transcribe(self, audio: bytes, *, language: str = "en-US", phrases: Sequence[str] = ()) -> Transcript:
        if not phrases:
            return self.dictate(audio, language=language)
        return _transcript(self.recognize(audio, language=language, phrases=phrases))

    def dictate(self, audio: bytes, *, language: str = "en-US") -> Transcript:
        """Free recognition (Google Cloud); the local emulator declares it unsupported."""
        if not self.supports("dictate"):
            raise self._unsupported("dictate")
        return _transcript(self.recognize(audio, language=language))


def _transcript(response: Any) -> Transcript:
    if not response.results or not response.results[0].alternatives:
        return Transcript(text="", confidence=0.0)
    best, *others = response.results[0].alternatives
    return Transcript(
        text=best.transcript,
        confidence=float(best.confidence),
        alternatives=tuple(o.transcript for o in others if o.transcript != best.transcript),
    )


def _wav_rate(audio: bytes) -> int:
    """The sample rate in a WAV header (bytes 24..28), 0 when the audio is not WAV."""
    if audio[:4] == b"RIFF" and audio[8:12] == b"WAVE" and len(audio) >= 28:
        return int.from_bytes(audio[24:28], "little")
    return 0
