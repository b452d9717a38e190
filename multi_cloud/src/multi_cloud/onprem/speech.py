"""OnPremSpeech: eSpeak NG synthesis (libespeak-ng from a wheel) and pocketsphinx phrase recognition."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from multi_cloud.core.base import SpeechService
from multi_cloud.core.errors import InvalidArgument, mapped_errors
from multi_cloud.core.types import SpeechAudio, Transcript
from multi_cloud.onprem.engines.text_input import base_language

DICTATION_REASON = (
    "free dictation is not offered: pocketsphinx's general English language model gets most words wrong "
    "(espeak-ng's 'turn on the lights' comes back as 'they're not that i'); pass phrases=[...] to recognise "
    "one of a known set of phrases"
)


class OnPremSpeech(SpeechService):
    """Voices are espeak-ng identifiers (``en-us``, ``en-gb+f3``); recognition needs ``phrases``."""

    unsupported = {"speech.dictate": DICTATION_REASON}

    @contextmanager
    def _operation(self, name: str) -> Iterator[None]:
        with mapped_errors(self.provider, f"speech.{name}", lambda _exc: None):
            yield

    def synthesize(self, text: str, *, voice: str = "", language: str = "en-US") -> SpeechAudio:
        """16-bit mono WAV of ``text`` spoken by ``voice`` (or the default voice of ``language``)."""
        from multi_cloud.onprem.engines import tts

        with self._operation("synthesize"):
            base_language(language)
            return tts.synthesize(text, tts.choose_voice(voice, language))

    def voices(self, *, language: str = "") -> list[str]:
        """Installed espeak-ng voices, optionally those of ``language`` (``"en"`` or ``"en-US"``)."""
        from multi_cloud.onprem.engines import tts

        with self._operation("voices"):
            return tts.voices_for(language)

    def transcribe(self, audio: bytes, *, language: str = "en-US", phrases: Sequence[str] = ()) -> Transcript:
        """Which of ``phrases`` was spoken in the WAV ``audio``; see ``onprem.stt``."""
        from multi_cloud.onprem.engines import stt

        with self._operation("transcribe"):
            if base_language(language) not in stt.STT_LANGUAGES:
                raise InvalidArgument(
                    f"speech recognition supports only US English (en-US), not {language!r}: "
                    "pocketsphinx ships only that acoustic model"
                )
            if not phrases:
                return self.dictate(audio, language=language)
            return stt.recognise(audio, phrases)
