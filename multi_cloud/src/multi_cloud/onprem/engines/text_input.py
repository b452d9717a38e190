"""Validate text sent to the language engines: a non-empty string within a documented byte limit."""

from __future__ import annotations

import re

from multi_cloud.core.errors import InvalidArgument

#: Largest text accepted by the language operations, in UTF-8 bytes (Comprehend's bound for most calls).
MAX_TEXT_BYTES = 100_000

_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def require_text(text: str, *, limit: int = MAX_TEXT_BYTES) -> str:
    """``text`` when usable; InvalidArgument when it is not a string, is blank, or is over ``limit`` bytes."""
    if not isinstance(text, str):
        raise InvalidArgument(f"text must be a string, not {type(text).__name__}")
    if not text.strip():
        raise InvalidArgument("text is empty; send at least one word")
    size = len(text.encode("utf-8"))
    if size > limit:
        raise InvalidArgument(
            f"text is {size:,} UTF-8 bytes, over the {limit:,}-byte limit; split it into parts"
        )
    return text


def base_language(code: str) -> str:
    """The primary subtag of a BCP-47 code, lower-cased ("en-US" -> "en"); InvalidArgument if malformed."""
    if not isinstance(code, str) or not _LANGUAGE_CODE.match(code):
        raise InvalidArgument(f"language must be an ISO 639-1 code such as 'en' or 'en-US', got {code!r}")
    return code.replace("_", "-").split("-")[0].lower()
