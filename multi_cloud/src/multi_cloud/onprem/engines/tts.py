"""Text to speech with eSpeak NG: libespeak-ng from the ``espeakng-loader`` wheel, or the espeak-ng binary.

The default engine is the library that ``pip install`` brings (``espeak_library``, through ctypes; no system
package). The espeak-ng binary is an optional alternative, used when the wheel is missing or when
``CLOUDAI_TTS_ENGINE=espeak-ng`` asks for it; it adds no voices (the wheel's data is eSpeak NG 1.52, a
superset of Debian 12's 1.51). ``CLOUDAI_TTS_ENGINE=library`` forces the wheel.

Voices are eSpeak NG's language identifiers (``en-us``, ``en-gb``, ``fr-fr``, ``es-419`` ...), optionally
with a variant (``en-us+f3``, ``en-us+klatt``; see ``espeak-ng --voices=variant``). Text starting with
``<speak`` is treated as SSML. Output is a canonical 16-bit mono WAV at eSpeak NG's 22050 Hz.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import wave
from functools import lru_cache
from io import BytesIO

from multi_cloud.core.errors import InvalidArgument, MissingDependency, Unavailable
from multi_cloud.core.types import SpeechAudio
from multi_cloud.onprem.engines import espeak_library
from multi_cloud.onprem.engines.audio import write_wav
from multi_cloud.onprem.engines.engine_imports import binary_allowed, find_binary

ESPEAK_INSTALL = "apt-get install -y espeak-ng"
#: What installs the default engine (the ``onprem`` extra pins it).
TTS_INSTALL = espeak_library.ESPEAKNG_LOADER_INSTALL
TTS_ENGINE_ENV = "CLOUDAI_TTS_ENGINE"
#: Longest text synthesised in one call, in characters (Polly's bound for plain text).
MAX_SYNTHESIS_CHARS = 3000
SYNTHESIS_TIMEOUT_SECONDS = 60


def _espeak() -> str:
    return find_binary("espeak-ng", ESPEAK_INSTALL, purpose="speech synthesis")


def engine() -> str:
    """``"library"`` (the wheel's libespeak-ng) or ``"espeak-ng"`` (the binary); MissingDependency if none."""
    wanted = os.environ.get(TTS_ENGINE_ENV, "").strip().lower()
    if wanted in ("espeak-ng", "binary"):
        _espeak()
        return "espeak-ng"
    if wanted == "library" or importlib.util.find_spec("espeakng_loader") is not None:
        return "library"
    if binary_allowed("espeak-ng") and _which_espeak():
        return "espeak-ng"
    raise MissingDependency(
        f"no text-to-speech engine (needed for speech synthesis): {TTS_INSTALL} (or {ESPEAK_INSTALL})"
    )


def _which_espeak() -> bool:
    try:
        _espeak()
    except MissingDependency:
        return False
    return True


def _voice_table(argument: str) -> list[list[str]]:
    out = subprocess.run([_espeak(), argument], capture_output=True, text=True, timeout=30, check=True)
    return [line.split() for line in out.stdout.splitlines()[1:] if len(line.split()) >= 5]


@lru_cache(maxsize=2)
def _installed_voices(which: str) -> tuple[str, ...]:
    if which == "library":
        return tuple(sorted({v.languages[0].lower() for v in espeak_library.voices() if v.languages}))
    return tuple(sorted({row[1].lower() for row in _voice_table("--voices")}))


@lru_cache(maxsize=2)
def _installed_variants(which: str) -> tuple[str, ...]:
    if which == "library":
        return tuple(sorted({v.identifier.split("/")[-1].lower() for v in espeak_library.variants()}))
    return tuple(sorted({row[4].split("/")[-1].lower() for row in _voice_table("--voices=variant")}))


def installed_voices() -> tuple[str, ...]:
    """eSpeak NG's voices as language identifiers, sorted, without duplicates (first language of each)."""
    return _installed_voices(engine())


def installed_variants() -> tuple[str, ...]:
    return _installed_variants(engine())


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
    import numpy as np

    ssml = text.lstrip().startswith("<speak")
    if engine() == "library":
        pcm = espeak_library.synthesize_pcm(text, voice, ssml=ssml)
        rate = espeak_library.sample_rate()
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
        return SpeechAudio(
            audio=write_wav(samples, rate), content_type="audio/wav", sample_rate=rate, voice=voice
        )
    return _synthesize_with_binary(text, voice, ssml)


def _synthesize_with_binary(text: str, voice: str, ssml: bool) -> SpeechAudio:
    command = [_espeak(), "-v", voice, "--stdout", "--stdin"]
    if ssml:
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
