"""OnPremTranslation: rule-based machine translation with apertium (e.g. ``apertium eng-spa``).

Quality: apertium is a rule-based (dictionary + transfer rules) system. Within its dictionaries it is
grammatical and predictable; outside them it copies the word through untranslated, and idioms come out
literally ("How are you?" -> "Cómo eres?"). It is far below the clouds' neural systems: fine for the
curriculum's pipelines and tests, not for publishing.

Unknown words: apertium marks them with ``*``. By default the marks are dropped (``apertium -u``), so the
text reads like a cloud API's; pass ``mark_unknown=True`` to keep them (``*Xyzzy``) and see what the
dictionaries lack. Apertium's rarer ``#`` (generation) and ``@`` (transfer) error marks are left as they are.

Languages are ISO 639-1 codes (``en``, ``es``); a pair with a regional variant (apertium's ``spa-eng_US``)
is reached with the region (``target="en-US"``). With no ``source``, the language is detected (langdetect).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from multi_cloud.core.base import TranslationService
from multi_cloud.core.errors import InvalidArgument, Unavailable, Unsupported, mapped_errors
from multi_cloud.core.types import Translation
from multi_cloud.onprem.engines.engine_imports import find_binary
from multi_cloud.onprem.engines.language_codes import to_iso1
from multi_cloud.onprem.engines.text_input import base_language, require_text

APERTIUM_INSTALL = "apt-get install -y apertium apertium-en-es"
#: Largest text translated in one call, in UTF-8 bytes (Google Translate's bound is 30k code points).
MAX_TRANSLATION_BYTES = 30_000
TRANSLATION_TIMEOUT_SECONDS = 120
_MODE = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})(?:_([A-Za-z]+))?$")


@dataclass(frozen=True)
class ApertiumPair:
    mode: str  # apertium's direction name, e.g. "spa-eng_US"
    source: str  # ISO 639-1 where one exists, e.g. "es"
    target: str  # e.g. "en" or "en-US" for a regional variant


def parse_modes(listing: str) -> list[ApertiumPair]:
    """The translation directions in ``apertium -l`` output (other modes, e.g. taggers, are skipped)."""
    pairs = []
    for line in listing.split():
        match = _MODE.match(line.strip())
        if match:
            source, target, variant = match.groups()
            target_code = to_iso1(target) + (f"-{variant.upper()}" if variant else "")
            pairs.append(ApertiumPair(mode=line.strip(), source=to_iso1(source), target=target_code))
    return pairs


def _normalise_code(code: str) -> str:
    base_language(code)  # InvalidArgument when malformed
    parts = code.replace("_", "-").split("-")
    base = to_iso1(parts[0])
    return base + (f"-{parts[1].upper()}" if len(parts) > 1 else "")


class OnPremTranslation(TranslationService):
    """Apertium's installed pairs; see the module docstring for quality and unknown-word handling."""

    unsupported: dict[str, str] = {}

    @contextmanager
    def _operation(self, name: str) -> Iterator[None]:
        with mapped_errors(self.provider, f"translation.{name}", lambda _exc: None):
            yield

    def _apertium(self) -> str:
        return find_binary("apertium", APERTIUM_INSTALL, purpose="translation")

    def installed_pairs(self) -> list[ApertiumPair]:
        listing = subprocess.run(
            [self._apertium(), "-l"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
        return parse_modes(listing)

    def language_pairs(self) -> list[tuple[str, str]]:
        """(source, target) ISO codes of every installed direction, e.g. ``[("en", "es"), ("es", "en")]``."""
        with self._operation("language_pairs"):
            return [(pair.source, pair.target) for pair in self.installed_pairs()]

    def translate(
        self, text: str, *, target: str, source: str = "", mark_unknown: bool = False
    ) -> Translation:
        with self._operation("translate"):
            require_text(text, limit=MAX_TRANSLATION_BYTES)
            if not isinstance(target, str) or not target.strip():
                raise InvalidArgument("target language is required, e.g. target='es'")
            source_code = _normalise_code(source) if source else self._detect(text)
            target_code = _normalise_code(target)
            if source_code.split("-")[0] == target_code.split("-")[0]:
                return Translation(
                    text=text, source_language=source_code, target_language=target_code, engine="identity"
                )
            pair = self._pair_for(source_code, target_code)
            command = [self._apertium(), pair.mode] if mark_unknown else [self._apertium(), "-u", pair.mode]
            result = subprocess.run(
                command,
                input=text,
                capture_output=True,
                text=True,
                timeout=TRANSLATION_TIMEOUT_SECONDS,
                check=False,
            )
            if result.returncode != 0:
                raise Unavailable(
                    f"apertium {pair.mode} failed (exit {result.returncode}): {result.stderr.strip()}"
                )
            translated = (
                result.stdout[:-1]
                if result.stdout.endswith("\n") and not text.endswith("\n")
                else result.stdout
            )
            return Translation(
                text=translated,
                source_language=pair.source,
                target_language=pair.target,
                engine=f"apertium {pair.mode}",
            )

    def _detect(self, text: str) -> str:
        from multi_cloud.onprem.language import OnPremLanguage

        return OnPremLanguage(self.provider).detect_language(text)[0].code

    def _pair_for(self, source: str, target: str) -> ApertiumPair:
        pairs = self.installed_pairs()
        source_base, target_base = source.split("-")[0], target.split("-")[0]
        exact = [p for p in pairs if p.source == source_base and p.target == target]
        base = [p for p in pairs if p.source == source_base and p.target == target_base]
        if exact or base:
            return (exact or base)[0]
        installed = ", ".join(f"{p.source}->{p.target}" for p in pairs) or "none"
        raise Unsupported(
            f"no apertium pair for {source}->{target}; installed: {installed}. Install the pair's Debian "
            f"package, e.g. apt-get install -y apertium-{source_base}-{target_base} "
            "(list them with: apt-cache search apertium-)"
        )
