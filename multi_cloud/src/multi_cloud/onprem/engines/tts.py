"""Text to speech with espeak-ng: voices from ``espeak-ng --voices``, WAV from ``--stdout``.

Voices are espeak-ng's language identifiers (``en-us``, ``en-gb``, ``fr-fr``, ``es-419`` ...), optionally
with a variant (``en-us+f3``, ``en-us+klatt``; see ``espeak-ng --voices=variant``). Text starting with
``<speak`` is treated as SSML (``-m``). Output is re-written as a canonical 16-bit mono WAV (espeak-ng's
streamed header carries a placeholder length); espeak-ng speaks at 22050 Hz.
"""

from __future__ import annotations

import subprocess
import wave
from functools import lru_cache
from io import BytesIO

from multi_cloud.core.errors import InvalidArgument, Unavailable
from multi_cloud.core.types import SpeechAudio
from multi_cloud.onprem.engines.audio import write_wav
from multi_cloud.onprem.engines.engine_imports import find_binary

ESPEAK_INSTALL = "apt-get install -y espeak-ng"
#: Longest text synthesised in one call, in characters (Polly's bound for plain text).
MAX_SYNTHESIS_CHARS = 3000
SYNTHESIS_TIMEOUT_SECONDS = 60


def _espeak() -> str:
    return find_binary("espeak-ng", ESPEAK_INSTALL, purpose="speech synthesis")


def _voice_table(argument: str) -> list[list[str]]:
    out = subprocess.run([_espeak(), argument], capture_output=True, text=True, timeout=30, check=True)
    return [line.split() for line in out.stdout.splitlines()[1:] if len(line.split()) >= 5]


@lru_cache(maxsize=1)
def installed_voices() -> tuple[str, ...]:
    """espeak-ng's voices as language identifiers, sorted, without duplicates."""
    return tuple(sorted({row[1].lower() for row in _voice_table("--voices")}))


@lru_cache(maxsize=1)
def installed_variants() -> tuple[str, ...]:
    return tuple(sorted({row[4].split("/")[-1].lower() for row in _voice_table("--voices=variant")}))


def voices_for(language: str = "") -> list[str]:
    """Voices whose identifier is ``language`` or starts with it (``"en"`` -> en-029, en-gb, ..., en-us)."""
    wanted = language.lower().replace("_", "-")
    return [v for v in installed_voices() if not wanted or v == wanted or v.startswith(wanted + "-")]


def choose_voice(voice: str, language: str) -> str:
    """The espeak-ng voice to use; InvalidArgument listing known voices when ``voice`` is unknown."""
    if not voice:
        for candidate in (language.lower().replace("_", "-"), language.split("-")[0].lower()):
            if candidate in installed_voices():
                return candidate
        matches = voices_for(language.split("-")[0])
        if matches:
            return matches[0]
        raise InvalidArgument(
            f"no espeak-ng voice for language {language!r}; "
            f"some installed: {', '.join(installed_voices()[:12])}"
        )
    base, _, variant = voice.lower().partition("+")
    if base not in installed_voices():
        nearby = voices_for(base.split("-")[0]) or list(installed_voices()[:12])
        raise InvalidArgument(f"unknown voice {voice!r}; known voices include: {', '.join(nearby[:12])}")
    if variant and variant not in installed_variants():
        raise InvalidArgument(
            f"unknown voice variant {variant!r}; "
            f"known variants include: {', '.join(installed_variants()[:12])}"
        )
    return voice.lower()


def synthesize(text: str, voice: str) -> SpeechAudio:
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument("text to speak is empty")
    if len(text) > MAX_SYNTHESIS_CHARS:
        raise InvalidArgument(f"text is {len(text):,} characters, over the {MAX_SYNTHESIS_CHARS:,} limit")
    command = [_espeak(), "-v", voice, "--stdout", "--stdin"]
    if text.lstrip().startswith("<speak"):
        command.insert(1, "-m")
    result = subprocess.run(
        command,
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=SYNTHESIS_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0 or len(result.stdout) < 44:
        detail = result.stderr.decode("utf-8", "replace").strip()
        raise Unavailable(f"espeak-ng failed (exit {result.returncode}): {detail or 'no audio produced'}")
    import numpy as np

    with wave.open(BytesIO(result.stdout)) as streamed:
        rate = streamed.getframerate()
        frames = streamed.readframes(streamed.getnframes())
    samples = np.frombuffer(frames[: len(frames) - len(frames) % 2], dtype="<i2").astype(np.float32)
    return SpeechAudio(
        audio=write_wav(samples, rate), content_type="audio/wav", sample_rate=rate, voice=voice
    )
