"""Polly's standard voices, each spoken offline by an espeak-ng voice (``catalog/polly_voices.tsv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class PollyVoice:
    id: str
    name: str
    gender: str
    language_code: str
    language_name: str
    espeak: str  # espeak-ng voice with variant, e.g. "en-us+f3"

    def describe(self) -> dict[str, object]:
        """The voice as DescribeVoices lists it (offline only the standard engine exists)."""
        return {
            "Gender": self.gender,
            "Id": self.id,
            "LanguageCode": self.language_code,
            "LanguageName": self.language_name,
            "Name": self.name,
            "SupportedEngines": ["standard"],
        }


@lru_cache(maxsize=1)
def catalog() -> tuple[PollyVoice, ...]:
    """Every voice in the catalog file, whether or not its espeak-ng language is installed."""
    text = (
        resources.files("aws_ai_services.emulator")
        .joinpath("catalog")
        .joinpath("polly_voices.tsv")
        .read_text("utf-8")
    )
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    return tuple(
        PollyVoice(
            id=row["Id"],
            name=row["Name"],
            gender=row["Gender"],
            language_code=row["LanguageCode"],
            language_name=row["LanguageName"],
            espeak=row["Espeak"],
        )
        for row in rows
    )


def installed() -> list[PollyVoice]:
    """The catalog's voices whose espeak-ng language is installed here."""
    from multi_cloud.onprem.engines import tts

    present = set(tts.installed_voices())
    return [voice for voice in catalog() if voice.espeak.split("+")[0] in present]


def find(voice_id: str) -> PollyVoice | None:
    return next((voice for voice in installed() if voice.id == voice_id), None)
