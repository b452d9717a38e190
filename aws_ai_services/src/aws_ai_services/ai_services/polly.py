"""PollyClient: speech from text with Amazon Polly, as WAV files or raw PCM, and the voices on offer.

Polly's ``pcm`` output is headerless 16-bit little-endian mono; :meth:`PollyClient.synthesize` wraps it in
a WAV header so any player opens it. Local mode speaks with espeak-ng behind Polly's voice ids.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import SpeechAudio

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    gender: str
    language_code: str
    language_name: str
    engines: tuple[str, ...]


def pcm_to_wav(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm[: len(pcm) - len(pcm) % 2])
    return buffer.getvalue()


class PollyClient:
    """Amazon Polly's SynthesizeSpeech and DescribeVoices; errors map to :mod:`multi_cloud.core.errors`."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("polly")

    def voices(self, *, language: str = "", engine: str = "standard") -> list[Voice]:
        """Voices for ``language`` (a Polly code such as ``en-US``; all when empty) on ``engine``."""
        arguments: dict[str, Any] = {"Engine": engine}
        if language:
            arguments["LanguageCode"] = language
        found: list[Voice] = []
        with aws_errors("speech.voices"):
            while True:
                answer = self.client.describe_voices(**arguments)
                found += [
                    Voice(
                        id=v["Id"],
                        name=v["Name"],
                        gender=v["Gender"],
                        language_code=v["LanguageCode"],
                        language_name=v["LanguageName"],
                        engines=tuple(v.get("SupportedEngines", [])),
                    )
                    for v in answer["Voices"]
                ]
                if not answer.get("NextToken"):
                    return found
                arguments["NextToken"] = answer["NextToken"]

    def synthesize_pcm(
        self, text: str, *, voice: str, sample_rate: int = SAMPLE_RATE, ssml: bool = False
    ) -> bytes:
        """Raw 16-bit little-endian mono PCM at ``sample_rate`` (8000 or 16000)."""
        with aws_errors("speech.synthesize"):
            answer = self.client.synthesize_speech(
                Text=text,
                TextType="ssml" if ssml else "text",
                VoiceId=voice,
                OutputFormat="pcm",
                SampleRate=str(sample_rate),
                Engine="standard",
            )
            return bytes(answer["AudioStream"].read())

    def synthesize(
        self, text: str, *, voice: str, sample_rate: int = SAMPLE_RATE, ssml: bool = False
    ) -> SpeechAudio:
        """A WAV file of ``text`` spoken by ``voice`` (a Polly voice id such as ``"Joanna"``)."""
        pcm = self.synthesize_pcm(text, voice=voice, sample_rate=sample_rate, ssml=ssml)
        return SpeechAudio(
            audio=pcm_to_wav(pcm, sample_rate), content_type="audio/wav", sample_rate=sample_rate, voice=voice
        )

    def synthesize_to_file(self, text: str, path: str | Path, *, voice: str, ssml: bool = False) -> Path:
        """Write the WAV to ``path`` (parent directories created) and return it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.synthesize(text, voice=voice, ssml=ssml).audio)
        return target
