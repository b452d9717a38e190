"""ISO 639-1 <-> ISO 639-3 codes for the languages apertium has pairs for."""

from __future__ import annotations

#: ISO 639-1 -> ISO 639-3 (apertium's newer pair names use the three-letter codes).
ISO1_TO_ISO3: dict[str, str] = {
    "af": "afr", "an": "arg", "ar": "ara", "be": "bel", "bg": "bul", "br": "bre", "ca": "cat", "cs": "ces",
    "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng", "eo": "epo", "es": "spa", "eu": "eus",
    "fi": "fin", "fr": "fra", "ga": "gle", "gl": "glg", "he": "heb", "hi": "hin", "hr": "hrv", "id": "ind",
    "is": "isl", "it": "ita", "kk": "kaz", "ky": "kir", "mk": "mkd", "ms": "msa", "mt": "mlt", "nb": "nob",
    "nl": "nld", "nn": "nno", "no": "nor", "oc": "oci", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus",
    "sc": "srd", "se": "sme", "sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp", "sv": "swe", "tr": "tur",
    "tt": "tat", "uk": "ukr", "ur": "urd",
}  # fmt: skip
ISO3_TO_ISO1: dict[str, str] = {iso3: iso1 for iso1, iso3 in ISO1_TO_ISO3.items()}
ISO3_TO_ISO1.update({"zlm": "ms", "hbs": "sh"})


def to_iso1(code: str) -> str:
    """An apertium language code (two or three letters) as ISO 639-1 when one exists, else unchanged."""
    code = code.lower()
    return code if len(code) == 2 else ISO3_TO_ISO1.get(code, code)
