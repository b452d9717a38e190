"""PCM WAV helpers for the speech engines: read (any rate, 8-32 bit, mono or stereo), write, resample."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from math import gcd
from typing import Any

from multi_cloud.core.errors import InvalidArgument

#: Largest audio accepted for recognition, in bytes, and longest, in seconds (Google's synchronous bound).
MAX_AUDIO_BYTES = 10 * 1024 * 1024
MAX_AUDIO_SECONDS = 60.0

_NOT_WAV = {
    b"ID3": "MP3 audio",
    b"\xff\xfb": "MP3 audio",
    b"\xff\xf3": "MP3 audio",
    b"fLaC": "FLAC audio",
    b"OggS": "Ogg audio",
    b"\x1aE\xdf\xa3": "WebM/Matroska media",
}


@dataclass(frozen=True)
class Pcm:
    """Mono samples as float32 in int16 units (-32768..32767), at ``sample_rate`` Hz."""

    samples: Any  # numpy.ndarray, float32, 1-D
    sample_rate: int

    @property
    def duration_seconds(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0


def read_wav(audio: bytes) -> Pcm:
    """Decode a PCM WAV file to mono float samples; InvalidArgument naming the format otherwise."""
    import numpy as np

    if not isinstance(audio, (bytes, bytearray, memoryview)) or not audio:
        raise InvalidArgument("audio is empty; send the bytes of a 16-bit PCM WAV file")
    audio = bytes(audio)
    if len(audio) > MAX_AUDIO_BYTES:
        raise InvalidArgument(f"audio is {len(audio):,} bytes, over the {MAX_AUDIO_BYTES:,}-byte limit")
    if not (audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"):
        kind = next((name for magic, name in _NOT_WAV.items() if audio.startswith(magic)), "not a WAV file")
        raise InvalidArgument(
            f"audio is {kind}; send PCM WAV (convert with: sox input -r 16000 -c 1 -b 16 output.wav)"
        )
    try:
        with wave.open(io.BytesIO(audio)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise InvalidArgument(f"corrupt or non-PCM WAV audio ({exc}); send 16-bit PCM WAV") from exc
    if rate <= 0 or channels <= 0:
        raise InvalidArgument(f"WAV header is invalid: {channels} channels at {rate} Hz")
    samples = _to_float(frames, width)
    usable = len(samples) - len(samples) % channels
    mono = samples[:usable].reshape(-1, channels).mean(axis=1).astype(np.float32)
    pcm = Pcm(samples=mono, sample_rate=rate)
    if pcm.duration_seconds > MAX_AUDIO_SECONDS:
        raise InvalidArgument(
            f"audio lasts {pcm.duration_seconds:.1f} s, over the {MAX_AUDIO_SECONDS:.0f} s limit"
        )
    return pcm


def _to_float(frames: bytes, width: int) -> Any:
    import numpy as np

    if width == 1:  # unsigned 8-bit
        return (np.frombuffer(frames, dtype=np.uint8).astype(np.float32) - 128.0) * 256.0
    if width == 2:
        return np.frombuffer(frames, dtype="<i2").astype(np.float32)
    if width == 3:
        raw = np.frombuffer(frames, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return (value / 256.0).astype(np.float32)
    if width == 4:
        return (np.frombuffer(frames, dtype="<i4") / 65536.0).astype(np.float32)
    raise InvalidArgument(f"unsupported WAV sample width: {width * 8} bits")


def resample(pcm: Pcm, rate: int) -> Pcm:
    """``pcm`` at ``rate`` Hz (polyphase filtering, so no aliasing)."""
    if pcm.sample_rate == rate:
        return pcm
    from scipy.signal import resample_poly

    common = gcd(rate, pcm.sample_rate)
    samples = resample_poly(pcm.samples, rate // common, pcm.sample_rate // common).astype("float32")
    return Pcm(samples=samples, sample_rate=rate)


def to_int16(samples: Any) -> Any:
    import numpy as np

    return np.clip(np.rint(samples), -32768, 32767).astype("<i2")


def write_wav(samples: Any, sample_rate: int) -> bytes:
    """A canonical 44-byte-header 16-bit mono WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(to_int16(samples).tobytes())
    return buffer.getvalue()


def pcm16_to_wav(pcm: bytes, sample_rate: int) -> bytes:
    """Wrap raw little-endian 16-bit mono PCM (e.g. Lex's ``audio/l16``) in a WAV header."""
    import numpy as np

    usable = len(pcm) - len(pcm) % 2
    return write_wav(np.frombuffer(pcm[:usable], dtype="<i2").astype(np.float32), sample_rate)
