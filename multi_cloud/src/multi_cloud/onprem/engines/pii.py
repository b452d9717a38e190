"""Find personal data in text with patterns plus validators, typed like Amazon Comprehend's PII entities.

Types, how each is found, and its score:

* EMAIL (0.95): local@domain.tld: RFC 5322 "atext" local part (Unicode letters allowed), dotted domain,
  top-level domain of 2+ letters.
* CREDIT_DEBIT_NUMBER (1.0): 13-19 digits, optionally grouped by single spaces or dashes, first digit 2-6
  (the card networks' ranges), and a valid **Luhn checksum**.
* SSN (0.9): US social security number ddd-dd-dddd; area not 000/666/9xx, group not 00, serial not 0000.
* IP_ADDRESS (1.0): IPv6 (also with an embedded IPv4 tail) or IPv4 dotted quad, each **validated by
  Python's ipaddress**.
* PHONE (0.9): "+", a country code and more digits (8-15 in all, E.164; separators allowed), or US/NANP
  forms: (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567.

Offsets are Python string indices (Unicode code points) into the original text, ``end`` exclusive.
When matches overlap, the earlier type in the table wins (a card number is not also a phone number).
Digit runs that fail their validator (non-Luhn 16-digit numbers, 999.1.1.1) are not reported.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator

from multi_cloud.core.types import PiiEntity

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
    r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}(?![\w-])"
)
_CARD = re.compile(r"(?<![\d-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d-])")
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\d|\.\d)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.\d)"
)
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){2,6}(?![\w-])")
_PHONE_NANP = re.compile(r"(?<![\w+-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[.-])\d{3}[.-]\d{4}(?![\w-])")


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn (mod 10) checksum used by payment cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_ok(text: str) -> bool:
    digits = re.sub(r"[ -]", "", text)
    separators = set(re.findall(r"[ -]", text))
    return 13 <= len(digits) <= 19 and len(separators) <= 1 and luhn_valid(digits)


def _ipv4_ok(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _ipv6_ok(text: str) -> bool:
    if text.count(":") < 2 or text in {"::"}:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _phone_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return 8 <= len(digits) <= 15
    return len(digits) in (10, 11)


def _always(_text: str) -> bool:
    return True


#: (type, pattern, validator, score) in priority order.
_DETECTORS: tuple[tuple[str, re.Pattern[str], Callable[[str], bool], float], ...] = (
    ("EMAIL", _EMAIL, _always, 0.95),
    ("CREDIT_DEBIT_NUMBER", _CARD, _card_ok, 1.0),
    ("SSN", _SSN, _always, 0.9),
    ("IP_ADDRESS", _IPV6, _ipv6_ok, 1.0),
    ("IP_ADDRESS", _IPV4, _ipv4_ok, 1.0),
    ("PHONE", _PHONE_INTERNATIONAL, _phone_ok, 0.9),
    ("PHONE", _PHONE_NANP, _phone_ok, 0.9),
)

PII_TYPES = tuple(dict.fromkeys(kind for kind, *_ in _DETECTORS))


def _candidates(text: str) -> Iterator[PiiEntity]:
    for kind, pattern, valid, score in _DETECTORS:
        for match in pattern.finditer(text):
            found = match.group(0)
            if valid(found):
                yield PiiEntity(type=kind, text=found, score=score, begin=match.start(), end=match.end())


def find_pii(text: str) -> list[PiiEntity]:
    """Every PII entity in ``text``, in order of position, without overlaps."""
    taken: list[PiiEntity] = []
    for entity in _candidates(text):
        if all(entity.end <= other.begin or entity.begin >= other.end for other in taken):
            taken.append(entity)
    return sorted(taken, key=lambda entity: entity.begin)
