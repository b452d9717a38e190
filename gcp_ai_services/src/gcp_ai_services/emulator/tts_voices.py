"""Text-to-Speech's Standard voices, each spoken by an espeak-ng voice (``catalog/tts_voices.tsv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Google's Standard voices are produced at 24 kHz
NATURAL_SAMPLE_RATE = 24000


@dataclass(frozen=True)
class GoogleVoice:
    name: str  # e.g. "en-US-Standard-C"
    language_code: str
    gender: str  # SsmlVoiceGender: MALE / FEMALE
    espeak: str  # espeak-ng voice with variant, e.g. "en-us+f3"

    def describe(self) -> dict[str, object]:
        """The voice as ``GET /v1/voices`` lists it."""
        return {
            "languageCodes": [self.language_code],
            "name": self.name,
            "ssmlGender": self.gender,
            "naturalSampleRateHertz": NATURAL_SAMPLE_RATE,
        }


@lru_cache(maxsize=1)
def catalog() -> tuple[GoogleVoice, ...]:
    text = resources.files("gcp_ai_services.emulator").joinpath("catalog/tts_voices.tsv").read_text("utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    return tuple(GoogleVoice(row["Name"], row["LanguageCode"], row["Gender"], row["Espeak"]) for row in rows)


def installed() -> list[GoogleVoice]:
    """The catalog's voices whose espeak-ng language is installed here."""
    from multi_cloud.onprem.engines import tts

    present = set(tts.installed_voices())
    return [voice for voice in catalog() if voice.espeak.split("+")[0] in present]


def matching(language: str) -> list[GoogleVoice]:
    """Installed voices of ``language`` (``en-US``, or just ``en``), as ``voices.list`` filters."""
    wanted = language.lower()
    return [
        voice
        for voice in installed()
        if not wanted
        or voice.language_code.lower() == wanted
        or voice.language_code.lower().split("-")[0] == wanted
    ]
