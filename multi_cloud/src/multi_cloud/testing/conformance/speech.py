"""Conformance tests for SpeechService: voices, synthesis, phrase recognition round trip, bad input."""

from __future__ import annotations

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import InvalidArgument, Unsupported
from multi_cloud.testing.conformance.ai_support import engine_required

INTENT_PHRASES = ["turn on the lights", "turn off the lights", "what time is it"]


class SpeechConformance:
    """Mix in and provide a ``provider`` fixture."""

    def test_lists_english_voices(self, provider: CloudProvider) -> None:
        with engine_required():
            voices = provider.speech.voices(language="en-US")
        assert voices and all(isinstance(v, str) and v for v in voices)

    def test_synthesizes_audio_whose_length_follows_the_text(self, provider: CloudProvider) -> None:
        with engine_required():
            short = provider.speech.synthesize("Hello.")
            long = provider.speech.synthesize(
                "Hello. This sentence is a good deal longer than the first one."
            )
        assert short.content_type.startswith("audio/") and short.sample_rate > 0
        assert len(long.audio) > 2 * len(short.audio)
        if long.content_type == "audio/wav":
            assert long.audio[:4] == b"RIFF" and long.audio[8:12] == b"WAVE"
            assert 2.0 < long.duration_seconds < 10.0

    @pytest.mark.parametrize("spoken", INTENT_PHRASES)
    def test_round_trip_recognises_the_spoken_phrase(self, provider: CloudProvider, spoken: str) -> None:
        with engine_required():
            audio = provider.speech.synthesize(spoken)
            if audio.content_type != "audio/wav":
                pytest.skip(f"provider synthesizes {audio.content_type}; the round trip needs WAV")
            transcript = provider.speech.transcribe(audio.audio, phrases=INTENT_PHRASES)
        assert transcript.text == spoken
        assert 0 < transcript.confidence <= 1
        assert spoken not in transcript.alternatives

    def test_dictation_is_supported_or_declared(self, provider: CloudProvider) -> None:
        with engine_required():
            audio = provider.speech.synthesize("turn on the lights")
            if provider.speech.supports("dictate"):
                assert provider.speech.transcribe(audio.audio).text
                return
        with pytest.raises(Unsupported):
            provider.speech.transcribe(audio.audio)

    def test_bad_requests_are_invalid_arguments(self, provider: CloudProvider) -> None:
        with engine_required():
            with pytest.raises(InvalidArgument):
                provider.speech.synthesize("")
            with pytest.raises(InvalidArgument):
                provider.speech.synthesize("Hello", voice="no-such-voice-xyz")
            with pytest.raises(InvalidArgument):
                provider.speech.transcribe(b"ID3\x03\x00 not a wav file", phrases=INTENT_PHRASES)
            with pytest.raises(InvalidArgument):
                provider.speech.transcribe(b"", phrases=INTENT_PHRASES)
