"""Speech over REST as Microsoft documents it: SSML text to speech, the voice list, fast transcription."""

from __future__ import annotations

import io
import json
import wave

import pytest
import requests
from multi_cloud.testing.engines import require_speech_synthesis

PHRASES = ["turn on the lights", "turn off the lights", "what time is it"]


@pytest.fixture(autouse=True)
def _tts() -> None:
    require_speech_synthesis()


def _ssml(text: str, voice: str = "en-US-AvaMultilingualNeural") -> bytes:
    return (
        f"<speak version='1.0' xml:lang='en-US'><voice xml:lang='en-US' name='{voice}'>{text}</voice></speak>"
    ).encode()


def _speak(
    endpoint: str, key: str, body: bytes, output: str = "riff-24khz-16bit-mono-pcm"
) -> requests.Response:
    return requests.post(
        f"{endpoint}/cognitiveservices/v1",
        headers={
            "Ocp-Apim-Subscription-Key": key,
            "Content-Type": "application/ssml+xml",
            "X-Microsoft-OutputFormat": output,
            "User-Agent": "cloudai-tests",
        },
        data=body,
        timeout=60,
    )


def test_text_to_speech_returns_wav_at_the_requested_rate(endpoint: str, key: str) -> None:
    answer = _speak(endpoint, key, _ssml("Hello. This sentence is a good deal longer than the first one."))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "audio/x-wav"
    with wave.open(io.BytesIO(answer.content)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24000, 1, 2)
        assert 2.0 < wav.getnframes() / wav.getframerate() < 10.0


def test_raw_pcm_has_no_header(endpoint: str, key: str) -> None:
    answer = _speak(endpoint, key, _ssml("Hello."), output="raw-16khz-16bit-mono-pcm")
    assert answer.status_code == 200 and answer.content[:4] != b"RIFF"


def test_mp3_is_not_computed(endpoint: str, key: str) -> None:
    answer = _speak(endpoint, key, _ssml("Hello."), output="audio-24khz-48kbitrate-mono-mp3")
    assert answer.status_code == 501
    assert answer.json()["error"]["code"] == "NotImplemented"


def test_malformed_ssml_is_400(endpoint: str, key: str) -> None:
    answer = _speak(endpoint, key, b"<speak><voice name='en-US-AvaNeural'>unclosed")
    assert answer.status_code == 400
    assert answer.json()["error"]["innererror"]["code"] == "InvalidSsml"


def test_unknown_voice_is_400(endpoint: str, key: str) -> None:
    answer = _speak(endpoint, key, _ssml("Hello.", voice="no-such-voice"))
    assert answer.status_code == 400
    assert answer.json()["error"]["innererror"]["code"] == "InvalidVoice"


def test_the_voice_list(endpoint: str, key: str) -> None:
    answer = requests.get(
        f"{endpoint}/cognitiveservices/voices/list", headers={"Ocp-Apim-Subscription-Key": key}, timeout=30
    )
    voices = answer.json()
    assert any(v["Locale"] == "en-US" and v["ShortName"] == "en-US-EspeakNeural" for v in voices)


def test_fast_transcription_with_a_phrase_list_round_trip(endpoint: str, key: str) -> None:
    audio = _speak(endpoint, key, _ssml("turn off the lights"), output="riff-16khz-16bit-mono-pcm").content
    answer = requests.post(
        f"{endpoint}/speechtotext/transcriptions:transcribe",
        params={"api-version": "2024-11-15"},
        headers={"Ocp-Apim-Subscription-Key": key},
        files={
            "audio": ("a.wav", audio, "audio/wav"),
            "definition": (None, json.dumps({"phraseList": PHRASES})),
        },
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["combinedPhrases"][0]["text"] == "turn off the lights"
    assert 0 < result["phrases"][0]["confidence"] <= 1


def test_transcription_without_phrases_is_501(endpoint: str, key: str) -> None:
    audio = _speak(endpoint, key, _ssml("turn on the lights")).content
    answer = requests.post(
        f"{endpoint}/speechtotext/transcriptions:transcribe",
        params={"api-version": "2024-11-15"},
        headers={"Ocp-Apim-Subscription-Key": key},
        files={"audio": ("a.wav", audio, "audio/wav"), "definition": (None, "{}")},
        timeout=60,
    )
    assert answer.status_code == 501
    assert "phraseList" in answer.json()["error"]["message"]


def test_not_a_wav_is_invalid_audio_format(endpoint: str, key: str) -> None:
    answer = requests.post(
        f"{endpoint}/speechtotext/transcriptions:transcribe",
        params={"api-version": "2024-11-15"},
        headers={"Ocp-Apim-Subscription-Key": key},
        files={
            "audio": ("a.mp3", b"ID3\x03\x00 not a wav", "audio/mpeg"),
            "definition": (None, '{"phraseList": ["x"]}'),
        },
        timeout=60,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidAudioFormat"
