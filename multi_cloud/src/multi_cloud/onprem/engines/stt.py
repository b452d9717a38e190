"""Speech to text with pocketsphinx 5 (US English model shipped in the wheel) against a phrase grammar.

The caller's phrases become a JSGF grammar (``public <phrase> = ( turn on the lights ) | ( ... );``), so
the recogniser can only answer one of them: the intent-recognition case (Lex, LUIS). Free dictation with
pocketsphinx's general language model is too inaccurate to be useful and is not offered.

Audio: PCM WAV at any rate (resampled to 16 kHz mono). A faint deterministic dither (Gaussian, sigma 8 on
the int16 scale, fixed seed) is added first: runs of digital silence, which synthetic speech has, otherwise
wreck pocketsphinx's feature normalisation (recognition on espeak-ng voices goes from 9/18 to 18/18).

Result: the matching phrase exactly as the caller wrote it; ``confidence`` is pocketsphinx's lattice
posterior of that hypothesis (typically 0.1-0.4 for a correct match: the mass is shared among alignments).
When the speech reaches no complete phrase, the transcript is empty with confidence 0.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import Transcript
from multi_cloud.onprem.engines.audio import read_wav, resample, to_int16
from multi_cloud.onprem.engines.engine_imports import import_engine

POCKETSPHINX_INSTALL = "pip install 'pocketsphinx>=5'"
RECOGNITION_RATE = 16000
DITHER_SIGMA = 8.0
MAX_PHRASES = 1000
STT_LANGUAGES = ("en",)

_lock = threading.Lock()  # one decoder, used by one utterance at a time


@dataclass(frozen=True)
class PhraseGrammar:
    jsgf: str
    originals: dict[str, str]  # normalised words -> the caller's phrase


@lru_cache(maxsize=1)
def _decoder() -> Any:
    pocketsphinx = import_engine("pocketsphinx", POCKETSPHINX_INSTALL, purpose="speech recognition")
    return pocketsphinx.Decoder(samprate=RECOGNITION_RATE, lm=None, loglevel="FATAL")


def normalise(phrase: str) -> str:
    """Lower case, letters/digits/apostrophes only, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9']+", " ", phrase.lower()).split())


def build_grammar(phrases: Sequence[str]) -> PhraseGrammar:
    """The JSGF grammar for ``phrases``; InvalidArgument for empty phrases or words the dictionary lacks."""
    if isinstance(phrases, str):
        raise InvalidArgument("phrases must be a list of strings, not one string")
    if len(phrases) > MAX_PHRASES:
        raise InvalidArgument(f"{len(phrases)} phrases is over the limit of {MAX_PHRASES}")
    originals: dict[str, str] = {}
    for phrase in phrases:
        words = normalise(str(phrase))
        if not words:
            raise InvalidArgument(f"phrase {phrase!r} has no words")
        originals.setdefault(words, str(phrase))
    decoder = _decoder()
    unknown = sorted({w for words in originals for w in words.split() if decoder.lookup_word(w) is None})
    if unknown:
        raise InvalidArgument(
            f"words not in the pronunciation dictionary (CMUdict, US English): {', '.join(unknown[:20])}; "
            "spell numbers and abbreviations out as words"
        )
    alternatives = " | ".join(f"( {words} )" for words in originals)
    jsgf = f"#JSGF V1.0;\ngrammar phrases;\npublic <phrase> = {alternatives} ;\n"
    return PhraseGrammar(jsgf=jsgf, originals=originals)


def prepare_audio(audio: bytes) -> bytes:
    """16 kHz mono int16 PCM with the dither described in the module docstring."""
    import numpy as np

    pcm = resample(read_wav(audio), RECOGNITION_RATE)
    noise = np.random.default_rng(0).normal(0.0, DITHER_SIGMA, len(pcm.samples))
    return bytes(to_int16(pcm.samples + noise).tobytes())


def recognise(audio: bytes, phrases: Sequence[str]) -> Transcript:
    grammar = build_grammar(phrases)
    samples = prepare_audio(audio)
    decoder = _decoder()
    with _lock:
        decoder.add_jsgf_string("phrases", grammar.jsgf)
        decoder.activate_search("phrases")
        decoder.start_utt()
        decoder.process_raw(samples, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        nbest = [h.hypstr for h in (decoder.nbest() or []) if h is not None]
    complete = [grammar.originals[text] for text in dict.fromkeys(nbest) if text in grammar.originals]
    if hypothesis is None or hypothesis.hypstr not in grammar.originals:
        return Transcript(text="", confidence=0.0, alternatives=tuple(complete))
    best = grammar.originals[hypothesis.hypstr]
    confidence = min(max(float(hypothesis.prob), 0.0), 1.0)
    return Transcript(text=best, confidence=confidence, alternatives=tuple(p for p in complete if p != best))
