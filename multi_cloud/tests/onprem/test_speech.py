"""On-premises speech: the shared conformance suite plus voices, WAV handling and grammar specifics."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
from multi_cloud.core.errors import InvalidArgument, MissingDependency, Unsupported
from multi_cloud.onprem.engines.audio import MAX_AUDIO_SECONDS, pcm16_to_wav, read_wav, write_wav
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.onprem.speech import OnPremSpeech
from multi_cloud.testing.conformance.speech import INTENT_PHRASES, SpeechConformance
from multi_cloud.testing.engines import require_speech_synthesis


@pytest.fixture(autouse=True)
def _espeak() -> None:
    require_speech_synthesis()


class TestOnPremSpeech(SpeechConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> OnPremProvider:
        return OnPremProvider(root=tmp_path)


@pytest.fixture(scope="module")
def speech() -> OnPremSpeech:
    return OnPremSpeech("onprem")


def reencode(audio: bytes, *, rate: int, channels: int, width: int) -> bytes:
    """The same speech as a WAV with another rate, channel count and sample width."""
    from scipy.signal import resample_poly

    pcm = read_wav(audio)
    samples = resample_poly(pcm.samples, rate, pcm.sample_rate) if rate != pcm.sample_rate else pcm.samples
    ints = np.clip(np.rint(samples), -32768, 32767).astype(np.int16)
    if width == 1:
        frames = ((ints.astype(np.int32) >> 8) + 128).astype(np.uint8)
    else:
        frames = ints
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(np.repeat(frames, channels).tobytes())
    return buffer.getvalue()


# ----------------------------------------------------------------------------- synthesis
def test_voices_are_espeak_language_identifiers(speech: OnPremSpeech) -> None:
    assert {"en-us", "en-gb", "es"} <= set(speech.voices())
    assert speech.voices(language="en-US") == ["en-us", "en-us-nyc"]
    assert all(v == "es" or v.startswith("es-") for v in speech.voices(language="es"))


def test_wav_is_canonical_and_sized_by_its_header(speech: OnPremSpeech) -> None:
    audio = speech.synthesize("Testing one two three.")
    assert audio.voice == "en-us" and audio.sample_rate == 22050
    with wave.open(io.BytesIO(audio.audio)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert wav.getnframes() * 2 == len(audio.audio) - 44
    assert 1.0 < audio.duration_seconds < 3.0


def test_voice_choice_and_variants(speech: OnPremSpeech) -> None:
    assert speech.synthesize("Hola", language="es-ES").voice == "es"
    assert speech.synthesize("Hi", voice="en-GB+f3").voice == "en-gb+f3"
    male, female = speech.synthesize("Hello there"), speech.synthesize("Hello there", voice="en-us+f3")
    assert male.audio != female.audio


def test_unknown_voice_lists_known_ones(speech: OnPremSpeech) -> None:
    with pytest.raises(InvalidArgument, match="known voices include: .*en-us") as caught:
        speech.synthesize("Hello", voice="en-xx-robot")
    assert caught.value.operation == "speech.synthesize"
    with pytest.raises(InvalidArgument, match="unknown voice variant"):
        speech.synthesize("Hello", voice="en-us+nosuchvariant")
    with pytest.raises(InvalidArgument, match="no espeak-ng voice for language"):
        speech.synthesize("Hello", language="xx-YY")


def test_text_limits(speech: OnPremSpeech) -> None:
    with pytest.raises(InvalidArgument, match="empty"):
        speech.synthesize("   ")
    with pytest.raises(InvalidArgument, match="3,000 limit"):
        speech.synthesize("a" * 3001)


def test_text_that_looks_like_an_option_is_spoken(speech: OnPremSpeech) -> None:
    assert speech.synthesize("--version").duration_seconds > 0.3


def test_ssml_pauses_lengthen_speech(speech: OnPremSpeech) -> None:
    plain = speech.synthesize("<speak>one two</speak>")
    paused = speech.synthesize('<speak>one <break time="1500ms"/> two</speak>')
    assert paused.duration_seconds > plain.duration_seconds + 1.0


def test_missing_espeak_names_the_install_command(
    speech: OnPremSpeech, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CLOUDAI_TTS_ENGINE", "espeak-ng")
    with pytest.raises(MissingDependency, match="apt-get install -y espeak-ng"):
        speech.synthesize("Hello")


def test_without_any_engine_the_pip_install_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from multi_cloud.onprem.engines import tts

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "espeakng_loader" else real(name, *a)
    )
    monkeypatch.setenv("CLOUDAI_DISABLE_BINARIES", "espeak-ng")
    with pytest.raises(MissingDependency, match="pip install 'espeakng-loader"):
        tts.engine()


def test_the_wheel_speaks_without_the_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default engine needs no system package: with espeak-ng hidden, voices and audio still work."""
    require_speech_synthesis()
    from multi_cloud.onprem.engines import tts

    monkeypatch.setenv("CLOUDAI_DISABLE_BINARIES", "espeak-ng")
    assert tts.engine() == "library"
    assert {"en-us", "en-gb", "fr-fr", "es-419"} <= set(tts.installed_voices())
    assert {"f3", "m3", "klatt"} <= set(tts.installed_variants())
    audio = tts.synthesize("Hello from the wheel.", "en-us+f3")
    assert audio.sample_rate == 22050 and audio.duration_seconds > 0.5


def test_concurrent_synthesis_is_serialised() -> None:
    require_speech_synthesis()
    from concurrent.futures import ThreadPoolExecutor

    from multi_cloud.onprem.engines import tts

    texts = ["one", "two three four five six", "seven eight"] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        durations = list(pool.map(lambda t: tts.synthesize(t, "en-us").duration_seconds, texts))
    # pitch flutter carries over between calls in the library: the same text varies by a few samples
    assert durations[:3] == pytest.approx(durations[3:6], abs=0.005) == durations[6:]
    assert durations[1] > durations[0] + 0.5


# ----------------------------------------------------------------------------- recognition
def test_recognition_returns_the_callers_phrase_text(speech: OnPremSpeech) -> None:
    audio = speech.synthesize("what time is it").audio
    phrases = ["Turn on the lights!", "Turn off the lights.", "What time is it?"]
    assert speech.transcribe(audio, phrases=phrases).text == "What time is it?"


@pytest.mark.parametrize(("rate", "channels", "width"), [(44100, 2, 2), (16000, 1, 2), (22050, 1, 1)])
def test_other_wav_layouts_are_converted(speech: OnPremSpeech, rate: int, channels: int, width: int) -> None:
    audio = reencode(
        speech.synthesize("turn off the lights").audio, rate=rate, channels=channels, width=width
    )
    assert speech.transcribe(audio, phrases=INTENT_PHRASES).text == "turn off the lights"


def test_speech_outside_the_grammar_matches_nothing(speech: OnPremSpeech) -> None:
    audio = speech.synthesize("the weather is nice today").audio
    result = speech.transcribe(audio, phrases=INTENT_PHRASES)
    assert (result.text, result.confidence) == ("", 0.0)


def test_silence_matches_nothing(speech: OnPremSpeech) -> None:
    silence = write_wav(np.zeros(16000, dtype=np.float32), 16000)
    assert speech.transcribe(silence, phrases=INTENT_PHRASES).text == ""


def test_dictation_is_declared_unsupported(speech: OnPremSpeech) -> None:
    assert not speech.supports("dictate")
    with pytest.raises(Unsupported, match="pass phrases") as caught:
        speech.transcribe(speech.synthesize("hello").audio)
    assert caught.value.operation == "speech.dictate"


def test_grammar_errors_name_the_problem(speech: OnPremSpeech) -> None:
    audio = speech.synthesize("hello").audio
    with pytest.raises(InvalidArgument, match="not in the pronunciation dictionary.*xyzzyq"):
        speech.transcribe(audio, phrases=["open the xyzzyq door"])
    with pytest.raises(InvalidArgument, match="has no words"):
        speech.transcribe(audio, phrases=["turn on", "?!"])
    with pytest.raises(InvalidArgument, match="list of strings"):
        speech.transcribe(audio, phrases="turn on the lights")


def test_recognition_language_and_audio_limits(speech: OnPremSpeech) -> None:
    audio = speech.synthesize("hello").audio
    with pytest.raises(InvalidArgument, match="only US English"):
        speech.transcribe(audio, language="fr-FR", phrases=["bonjour"])
    too_long = write_wav(np.zeros(int(8000 * (MAX_AUDIO_SECONDS + 1)), dtype=np.float32), 8000)
    with pytest.raises(InvalidArgument, match="over the 60 s limit"):
        speech.transcribe(too_long, phrases=INTENT_PHRASES)
    with pytest.raises(InvalidArgument, match="MP3 audio"):
        speech.transcribe(b"ID3\x04\x00\x00\x00\x00\x00\x00", phrases=INTENT_PHRASES)
    with pytest.raises(InvalidArgument, match="corrupt or non-PCM"):
        speech.transcribe(b"RIFF\x24\x00\x00\x00WAVEjunk", phrases=INTENT_PHRASES)


def test_raw_pcm_wraps_into_a_readable_wav() -> None:
    samples = (np.sin(np.linspace(0, 200, 8000)) * 10000).astype("<i2")
    pcm = read_wav(pcm16_to_wav(samples.tobytes(), 8000))
    assert pcm.sample_rate == 8000
    np.testing.assert_array_equal(pcm.samples.astype("<i2"), samples)


def test_the_optional_binary_speaks_the_same_voices(monkeypatch: pytest.MonkeyPatch) -> None:
    """``CLOUDAI_TTS_ENGINE=espeak-ng`` keeps the binary as an alternative; the wheel knows all its voices."""
    from multi_cloud.onprem.engines import tts
    from multi_cloud.testing.engines import require_binary

    require_binary("espeak-ng")
    monkeypatch.setenv("CLOUDAI_TTS_ENGINE", "espeak-ng")
    assert tts.engine() == "espeak-ng"
    binary_voices = set(tts.installed_voices())
    audio = tts.synthesize("Hello from the binary.", "en-gb+f3")
    assert audio.sample_rate == 22050 and audio.duration_seconds > 0.5
    monkeypatch.setenv("CLOUDAI_TTS_ENGINE", "library")
    assert binary_voices <= set(tts.installed_voices())
