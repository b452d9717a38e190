"""libespeak-ng from the ``espeakng-loader`` wheel, driven through ctypes (no system package needed).

``espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, DONT_EXIT)`` loads the wheel's own voice data;
``espeak_Synth`` then hands 16-bit PCM (22,050 Hz) to a callback. libespeak-ng keeps global state and is not
re-entrant, so every call goes through one process-wide lock. Its wave generator keeps pitch-flutter state
between calls (even across ``espeak_Terminate``), so the same text can come out a few samples (< 1 ms)
longer or shorter than last time; one run of the binary always starts from the same state.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from multi_cloud.core.errors import InvalidArgument, Unavailable
from multi_cloud.onprem.engines.engine_imports import import_engine

ESPEAKNG_LOADER_INSTALL = "pip install 'espeakng-loader>=0.2.4'"

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_SSML = 0x10
_ENDPAUSE = 0x1000

_LOCK = threading.Lock()

# int callback(short *wav, int numsamples, espeak_EVENT *events); 0 continues synthesis
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, NUL-terminated name)* then a 0 byte
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


@dataclass(frozen=True)
class LibraryVoice:
    name: str
    identifier: str
    languages: tuple[str, ...]


@dataclass
class _Engine:
    lib: Any
    sample_rate: int
    chunks: list[bytes]
    callback: Any  # keeps the ctypes callback alive as long as the library may call it


def _on_samples(wav: Any, count: int, _events: Any) -> int:
    if count > 0 and wav:
        _engine().chunks.append(ctypes.string_at(wav, count * 2))
    return 0


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    loader = import_engine("espeakng_loader", ESPEAKNG_LOADER_INSTALL, purpose="speech synthesis")
    try:
        lib = ctypes.CDLL(loader.get_library_path())
        data_path = loader.get_data_path()
    except (OSError, RuntimeError) as exc:
        raise Unavailable(f"libespeak-ng from espeakng-loader does not load: {exc}") from exc
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_Synchronize.restype = ctypes.c_int
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
    rate = int(
        lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode("utf-8"), _INITIALIZE_DONT_EXIT)
    )
    if rate <= 0:
        raise Unavailable(f"libespeak-ng failed to initialise with data at {data_path} (code {rate})")
    callback = _SYNTH_CALLBACK(_on_samples)
    lib.espeak_SetSynthCallback(callback)
    return _Engine(lib=lib, sample_rate=rate, chunks=[], callback=callback)


def _languages(pointer: int | None) -> tuple[str, ...]:
    if not pointer:
        return ()
    found = []
    offset = 0
    while ctypes.string_at(pointer + offset, 1) != b"\0":  # priority byte; 0 ends the list
        name = ctypes.string_at(pointer + offset + 1)
        found.append(name.decode("utf-8", "replace"))
        offset += len(name) + 2
    return tuple(found)


def _list(spec: _Voice | None) -> list[LibraryVoice]:
    engine = _engine()
    with _LOCK:
        array = engine.lib.espeak_ListVoices(ctypes.byref(spec) if spec is not None else None)
        voices = []
        index = 0
        while array and array[index]:
            voice = array[index].contents
            voices.append(
                LibraryVoice(
                    name=(voice.name or b"").decode("utf-8", "replace"),
                    identifier=(voice.identifier or b"").decode("utf-8", "replace"),
                    languages=_languages(voice.languages),
                )
            )
            index += 1
    return voices


def voices() -> list[LibraryVoice]:
    """Every language voice the wheel's data holds (variants excluded), as ``espeak_ListVoices(NULL)``."""
    return _list(None)


def variants() -> list[LibraryVoice]:
    """The voice variants (``f3``, ``m3``, ``klatt``...), as ``espeak-ng --voices=variant`` lists them."""
    spec = _Voice()
    spec.languages = ctypes.cast(ctypes.c_char_p(b"variant"), ctypes.c_void_p).value
    return _list(spec)


@lru_cache(maxsize=1)
def _names_by_language() -> dict[str, str]:
    names: dict[str, str] = {}
    for voice in voices():
        if voice.languages:
            names.setdefault(voice.languages[0].lower(), voice.name)
    return names


def voice_name(voice: str) -> str:
    """The library's name for a language identifier with an optional variant (``en-gb+f3``).

    ``espeak_SetVoiceByName`` matches voice names (``English (Great Britain)``) and only some identifiers,
    so ``en-gb+f3`` becomes ``English (Great Britain)+f3`` as the binary's ``-v en-gb+f3`` does.
    """
    base, plus, variant = voice.partition("+")
    name = _names_by_language().get(base.lower(), base)
    return name + plus + variant


def sample_rate() -> int:
    return _engine().sample_rate


def synthesize_pcm(text: str, voice: str, *, ssml: bool = False) -> bytes:
    """16-bit little-endian mono PCM at :func:`sample_rate` for ``text`` spoken by ``voice``."""
    engine = _engine()
    encoded = text.encode("utf-8") + b"\0"
    name = voice_name(voice)
    flags = _CHARS_UTF8 | _ENDPAUSE | (_SSML if ssml else 0)
    with _LOCK:
        engine.chunks.clear()
        # eSpeak NG 1.52 varies pitch and timing with rand(); a fixed seed per call makes the same text give
        # the same audio (as one run of the binary does), so durations and formats compare exactly
        status = engine.lib.espeak_SetVoiceByName(name.encode("utf-8"))
        if status != 0:
            raise InvalidArgument(f"libespeak-ng does not know voice {voice!r} (code {status})")
        status = engine.lib.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, flags, None, None)
        engine.lib.espeak_Synchronize()
        pcm = b"".join(engine.chunks)
        engine.chunks.clear()
    if status != 0 or not pcm:
        raise Unavailable(f"libespeak-ng produced no audio (code {status})")
    return pcm
