"""Speech-to-Text and Text-to-Speech over the wire with the plain clients; the speech conformance suite."""

from __future__ import annotations

import io
import wave
from typing import Any

import pytest
from google.api_core import exceptions as gx
from google.cloud import speech_v1, texttospeech_v1
from multi_cloud.testing.conformance.speech import INTENT_PHRASES, SpeechConformance

from .conftest import status_of


class TestCloudSpeechConformance(SpeechConformance):
    """The portable speech contract, through CloudSpeech and the emulator."""


@pytest.fixture
def tts(endpoint: dict[str, Any]) -> Any:
    return texttospeech_v1.TextToSpeechClient(**endpoint)


@pytest.fixture
def stt(endpoint: dict[str, Any]) -> Any:
    return speech_v1.SpeechClient(**endpoint)


def _speak(tts: Any, text: str, **audio_config: Any) -> bytes:
    response = tts.synthesize_speech(
        input={"text": text},
        voice={"language_code": "en-US", "name": "en-US-Standard-C"},
        audio_config={"audio_encoding": texttospeech_v1.AudioEncoding.LINEAR16, **audio_config},
    )
    return bytes(response.audio_content)


def test_linear16_is_a_wav_at_the_requested_rate(tts: Any) -> None:
    audio = _speak(tts, "what time is it", sample_rate_hertz=16000)
    with wave.open(io.BytesIO(audio)) as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (16000, 2, 1)
        assert 0.5 < wav.getnframes() / 16000 < 5


def test_voices_list_filters_by_language(tts: Any) -> None:
    names = [voice.name for voice in tts.list_voices(language_code="en-US").voices]
    assert "en-US-Standard-C" in names and all(name.startswith("en-US") for name in names)


def test_unknown_voices_unencodable_formats_and_prosody_get_googles_codes(tts: Any) -> None:
    with pytest.raises(gx.BadRequest) as unknown:
        tts.synthesize_speech(
            input={"text": "hi"},
            voice={"language_code": "en-US", "name": "en-US-Nonexistent-Z"},
            audio_config={"audio_encoding": texttospeech_v1.AudioEncoding.LINEAR16},
        )
    assert status_of(unknown.value) == "INVALID_ARGUMENT" and "does not exist" in unknown.value.message
    with pytest.raises(gx.MethodNotImplemented) as mp3:
        tts.synthesize_speech(
            input={"text": "hi"},
            voice={"language_code": "en-US"},
            audio_config={"audio_encoding": texttospeech_v1.AudioEncoding.MP3},
        )
    assert "MP3" in mp3.value.message
    with pytest.raises(gx.MethodNotImplemented) as mulaw:  # enum numbers with a gap (4 is unused) map right
        _speak(tts, "hi", audio_encoding=texttospeech_v1.AudioEncoding.MULAW)
    assert "MULAW" in mulaw.value.message
    with pytest.raises(gx.MethodNotImplemented):
        _speak(tts, "hi", speaking_rate=1.5)
    with pytest.raises(gx.BadRequest):
        _speak(tts, "hi", pitch=50.0)  # out of Google's range


def test_recognize_with_phrase_hints_and_adaptation(tts: Any, stt: Any) -> None:
    audio = _speak(tts, "turn off the lights")
    config = {
        "language_code": "en-US",
        "speech_contexts": [{"phrases": INTENT_PHRASES}],
        "max_alternatives": 3,
    }
    response = stt.recognize(config=config, audio={"content": audio})
    assert response.results[0].alternatives[0].transcript == "turn off the lights"
    assert 0 < response.results[0].alternatives[0].confidence <= 1
    assert response.total_billed_time.seconds >= 1
    adapted = {
        "language_code": "en-US",
        "adaptation": {"phrase_sets": [{"phrases": [{"value": p, "boost": 10} for p in INTENT_PHRASES]}]},
    }
    assert stt.recognize(config=adapted, audio={"content": audio}).results[0].alternatives[0].transcript == (
        "turn off the lights"
    )


def test_raw_linear16_needs_its_rate_and_a_wav_rate_must_match(tts: Any, stt: Any) -> None:
    audio = _speak(tts, "what time is it", sample_rate_hertz=16000)
    raw = audio[44:]
    base = {"language_code": "en-US", "speech_contexts": [{"phrases": INTENT_PHRASES}]}
    raw_config = {
        **base,
        "encoding": speech_v1.RecognitionConfig.AudioEncoding.LINEAR16,
        "sample_rate_hertz": 16000,
    }
    recognised = stt.recognize(config=raw_config, audio={"content": raw})
    assert recognised.results[0].alternatives[0].transcript == "what time is it"
    with pytest.raises(gx.BadRequest) as no_rate:
        stt.recognize(config=base, audio={"content": raw})
    assert status_of(no_rate.value) == "INVALID_ARGUMENT"
    with pytest.raises(gx.BadRequest) as mismatch:
        stt.recognize(config={**base, "sample_rate_hertz": 8000}, audio={"content": audio})
    assert "WAV header (16000)" in mismatch.value.message


def test_dictation_references_and_other_languages_get_googles_codes(tts: Any, stt: Any) -> None:
    audio = _speak(tts, "turn on the lights")
    with pytest.raises(gx.MethodNotImplemented) as dictation:
        stt.recognize(config={"language_code": "en-US"}, audio={"content": audio})
    assert "dictation" in dictation.value.message
    reference = "projects/cloudai-local/locations/global/phraseSets/lights"
    with pytest.raises(gx.NotFound) as missing:
        stt.recognize(
            config={"language_code": "en-US", "adaptation": {"phrase_set_references": [reference]}},
            audio={"content": audio},
        )
    assert status_of(missing.value) == "NOT_FOUND" and reference in missing.value.message
    with pytest.raises(gx.MethodNotImplemented):
        stt.recognize(
            config={"language_code": "fr-FR", "speech_contexts": [{"phrases": ["bonjour"]}]},
            audio={"content": audio},
        )
    with pytest.raises(gx.BadRequest) as empty:
        stt.recognize(
            config={"language_code": "en-US", "speech_contexts": [{"phrases": ["x"]}]}, audio={"content": b""}
        )
    assert "RecognitionAudio" in empty.value.message


def test_audio_in_cloud_storage_is_read_by_speech_itself(tts: Any, stt: Any) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    bucket = storage.Client(project="cloudai-local", credentials=AnonymousCredentials()).create_bucket(
        "calls"
    )
    bucket.blob("lights.wav").upload_from_string(_speak(tts, "turn on the lights"), content_type="audio/wav")
    config = {"language_code": "en-US", "speech_contexts": [{"phrases": INTENT_PHRASES}]}
    response = stt.recognize(config=config, audio={"uri": "gs://calls/lights.wav"})
    assert response.results[0].alternatives[0].transcript == "turn on the lights"
    with pytest.raises(gx.NotFound) as missing:
        stt.recognize(config=config, audio={"uri": "gs://calls/none.wav"})
    assert "gs://calls/none.wav" in missing.value.message
