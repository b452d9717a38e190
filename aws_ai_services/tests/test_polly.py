"""Polly over the wire to the AWS AI emulator (espeak-ng), and the speech conformance suite (Polly + Lex)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from aws_ai_services.ai_services.polly import PollyClient
from aws_ai_services.client import AWSProvider
from aws_ai_services.emulator import polly_voices
from botocore.exceptions import ClientError
from multi_cloud.testing.conformance.speech import SpeechConformance
from multi_cloud.testing.engines import require_speech_synthesis


@pytest.fixture(autouse=True)
def _espeak() -> None:
    require_speech_synthesis()


class TestAWSSpeechConformance(SpeechConformance):
    @pytest.fixture
    def provider(self, ai_cloud) -> AWSProvider:  # type: ignore[no-untyped-def]
        return AWSProvider()


@pytest.fixture
def polly(ai_cloud):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client("polly")


def _error(call, **arguments) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**arguments)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def _pcm(polly, text: str, voice: str = "Joanna", **extra) -> bytes:  # type: ignore[no-untyped-def]
    answer = polly.synthesize_speech(Text=text, VoiceId=voice, OutputFormat="pcm", **extra)
    assert answer["ContentType"] == "audio/pcm"
    return bytes(answer["AudioStream"].read())


def test_describe_voices_lists_polly_ids_per_language(polly) -> None:  # type: ignore[no-untyped-def]
    voices = polly.describe_voices(LanguageCode="en-US")["Voices"]
    ids = {v["Id"] for v in voices}
    assert {"Joanna", "Matthew"} <= ids
    assert all(v["LanguageCode"] == "en-US" and v["SupportedEngines"] == ["standard"] for v in voices)
    german = polly.describe_voices(LanguageCode="de-DE")["Voices"]
    assert {v["Id"] for v in german} >= {"Hans", "Marlene"}
    assert polly.describe_voices(Engine="neural")["Voices"] == []  # only espeak-ng's "standard" engine exists


def test_pcm_length_follows_text_and_sample_rate(polly) -> None:  # type: ignore[no-untyped-def]
    short, long = (
        _pcm(polly, "Hi."),
        _pcm(polly, "Hi. This sentence takes noticeably longer to say out loud."),
    )
    assert len(long) > 3 * len(short)
    seconds = len(long) / 2 / 16000
    narrow = _pcm(polly, "Hi. This sentence takes noticeably longer to say out loud.", SampleRate="8000")
    assert 2.0 < seconds < 8.0 and abs(len(narrow) / 2 / 8000 - seconds) < 0.05


def test_voices_sound_different(polly) -> None:  # type: ignore[no-untyped-def]
    joanna = np.frombuffer(_pcm(polly, "Good morning", "Joanna"), dtype="<i2")
    matthew = np.frombuffer(_pcm(polly, "Good morning", "Matthew"), dtype="<i2")
    assert joanna.tobytes() != matthew.tobytes()


def test_request_characters_do_not_count_ssml_tags(polly) -> None:  # type: ignore[no-untyped-def]
    answer = polly.synthesize_speech(
        Text="<speak>Hello <break time='300ms'/> world</speak>",
        TextType="ssml",
        VoiceId="Joanna",
        OutputFormat="pcm",
    )
    assert answer["RequestCharacters"] == len("Hello  world")


def test_mulaw_is_one_byte_per_sample_at_8khz(polly) -> None:  # type: ignore[no-untyped-def]
    pcm = _pcm(polly, "Testing the telephone format", SampleRate="8000")
    answer = polly.synthesize_speech(
        Text="Testing the telephone format", VoiceId="Joanna", OutputFormat="mulaw"
    )
    assert answer["ContentType"] == "audio/basic"
    # two syntheses: libespeak-ng's pitch flutter carries over between calls, so lengths differ by < 5 ms
    assert abs(len(answer["AudioStream"].read()) - len(pcm) // 2) <= 40


def test_formats_without_an_offline_encoder_are_not_implemented(polly) -> None:  # type: ignore[no-untyped-def]
    for output_format in ("mp3", "ogg_vorbis", "json"):
        code, status, message = _error(
            polly.synthesize_speech, Text="Hi", VoiceId="Joanna", OutputFormat=output_format
        )
        assert (code, status) == ("NotImplemented", 501) and output_format in message


def test_polly_errors_for_bad_requests(polly) -> None:  # type: ignore[no-untyped-def]
    assert _error(polly.synthesize_speech, Text="Hi", VoiceId="Nobody", OutputFormat="pcm")[:2] == (
        "ValidationException",
        400,
    )
    assert _error(
        polly.synthesize_speech, Text="Hi", VoiceId="Joanna", OutputFormat="pcm", SampleRate="22050"
    )[0] == ("InvalidSampleRateException")
    assert _error(polly.synthesize_speech, Text="x" * 3001, VoiceId="Joanna", OutputFormat="pcm")[0] == (
        "TextLengthExceededException"
    )
    assert _error(polly.synthesize_speech, Text="Hi", TextType="ssml", VoiceId="Joanna", OutputFormat="pcm")[
        0
    ] == ("InvalidSsmlException")
    assert _error(polly.synthesize_speech, Text="Hi", VoiceId="Joanna", OutputFormat="pcm", Engine="neural")[
        0
    ] == ("NotImplemented")


def test_synthesize_to_file_writes_a_playable_wav(ai_cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = PollyClient().synthesize_to_file(
        "Your order has shipped.", tmp_path / "out" / "notice.wav", voice="Amy"
    )
    with wave.open(io.BytesIO(path.read_bytes())) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
        assert 1.0 < wav.getnframes() / 16000 < 5.0


def test_catalog_voices_name_installed_espeak_variants() -> None:
    from multi_cloud.onprem.engines import tts

    variants = set(tts.installed_variants())
    for voice in polly_voices.catalog():
        assert voice.espeak.split("+")[1] in variants, voice
    assert len({voice.id for voice in polly_voices.catalog()}) == len(polly_voices.catalog())


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<speak>Hello <prosody rate='slow'>there</speak>", "mismatched tag"),
        ('<speak><!DOCTYPE x [<!ENTITY a "b">]>&a;</speak>', "DTDs and entity declarations are refused"),
    ],
)
def test_malformed_ssml_is_invalid_ssml(polly, text: str, detail: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        polly.synthesize_speech(Text=text, TextType="ssml", VoiceId="Joanna", OutputFormat="pcm")
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidSsmlException",
        400,
    )
    assert (
        error["Error"]["Message"].startswith("Invalid SSML request: ") and detail in error["Error"]["Message"]
    )
