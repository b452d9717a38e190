"""Polly's output formats from espeak-ng's WAV: raw 16-bit PCM, and G.711 mu-law / A-law at 8 kHz.

``pcm`` is signed 16-bit little-endian mono at 8000 or 16000 Hz (Polly's rates for it; 16000 by default);
``mulaw`` and ``alaw`` are 8-bit G.711 at 8000 Hz, encoded segment by segment like the reference encoder.
"""

from __future__ import annotations

from typing import Any

PCM_RATES = ("8000", "16000")
G711_RATES = ("8000",)
DEFAULT_RATES = {"pcm": "16000", "mulaw": "8000", "alaw": "8000"}
CONTENT_TYPES = {"pcm": "audio/pcm", "mulaw": "audio/basic", "alaw": "audio/alaw"}
ULAW_BIAS = 0x84 >> 2
ULAW_CLIP = 8159
ULAW_SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
ALAW_SEGMENT_ENDS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def samples_at(wav: bytes, rate: int) -> Any:
    """Mono float samples (int16 scale) of ``wav`` resampled to ``rate`` Hz."""
    from multi_cloud.onprem.engines.audio import read_wav, resample

    return resample(read_wav(wav), rate).samples


def to_pcm16(samples: Any) -> bytes:
    from multi_cloud.onprem.engines.audio import to_int16

    return bytes(to_int16(samples).tobytes())


def to_mulaw(samples: Any) -> bytes:
    """G.711 mu-law, segment by segment as in the reference encoder (Sun's g711.c ``linear2ulaw``)."""
    import numpy as np

    value = _int16(samples) >> 2  # 14-bit
    mask = np.where(value < 0, 0x7F, 0xFF)
    value = np.minimum(np.abs(value), ULAW_CLIP) + ULAW_BIAS
    segment = np.searchsorted(ULAW_SEGMENT_ENDS, value, side="left")
    code = (np.minimum(segment, 7) << 4) | ((value >> (np.minimum(segment, 7) + 1)) & 0xF)
    code = np.where(segment >= 8, 0x7F, code)
    return bytes((code ^ mask).astype(np.uint8).tobytes())


def to_alaw(samples: Any) -> bytes:
    """G.711 A-law, segment by segment as in the reference encoder (Sun's g711.c ``linear2alaw``)."""
    import numpy as np

    value = _int16(samples) >> 3  # 13-bit
    mask = np.where(value >= 0, 0xD5, 0x55)
    value = np.where(value >= 0, value, -value - 1)
    segment = np.searchsorted(ALAW_SEGMENT_ENDS, value, side="left")
    shift = np.where(segment < 2, 1, np.minimum(segment, 7))
    code = (np.minimum(segment, 7) << 4) | ((value >> shift) & 0xF)
    code = np.where(segment >= 8, 0x7F, code)
    return bytes((code ^ mask).astype(np.uint8).tobytes())


def _int16(samples: Any) -> Any:
    import numpy as np
    from multi_cloud.onprem.engines.audio import to_int16

    return to_int16(samples).astype(np.int32)


def encode(wav: bytes, output_format: str, rate: int) -> bytes:
    samples = samples_at(wav, rate)
    if output_format == "pcm":
        return to_pcm16(samples)
    if output_format == "mulaw":
        return to_mulaw(samples)
    return to_alaw(samples)
