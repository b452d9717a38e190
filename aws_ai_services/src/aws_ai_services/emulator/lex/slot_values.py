"""Lex V2 built-in slot types resolved offline: find a value in text and give its interpreted form.

Each resolver takes the user's words and returns ``(original, interpreted)`` for the first value found, or
``None``. Supported: AMAZON.Number (digits or English number words), AMAZON.Date (ISO dates, today /
tomorrow / yesterday, weekday names = the next such day, "May 5" / "5 May" [year]), AMAZON.Time ("3 pm",
"15:30", noon, midnight), AMAZON.Confirmation (yes/no words), AMAZON.AlphaNumeric (a token with a digit),
AMAZON.EmailAddress, AMAZON.PhoneNumber (7-15 digits), AMAZON.Percentage, AMAZON.FreeFormInput (all of it).
Any other built-in type (AMAZON.FirstName, AMAZON.City...) has no offline gazetteer: its value is taken from
the position of the slot in a matching sample utterance, as spoken.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

Resolved = tuple[str, str]  # (original text, interpreted value)

UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen \
seventeen eighteen nineteen".split()
)
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
NUMBER_WORDS = set(UNITS) | set(TENS) | set(SCALES) | {"and", "a"}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
YES = {"yes", "yeah", "yep", "sure", "ok", "okay", "correct", "right", "affirmative", "confirm", "please do"}
NO = {"no", "nope", "nah", "negative", "cancel", "don't", "do not"}

_DIGITS = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH = "|".join(MONTHS) + "|" + "|".join(m[:3] for m in MONTHS)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b(?:,?\s+(\d{{4}}))?")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![\w:])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_ALNUM = re.compile(r"\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{2,}\b")
_PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:%|percent\b)")


def words_to_number(words: list[str]) -> int | None:
    """``["twenty", "one"]`` -> 21, ``["one", "hundred", "and", "five"]`` -> 105; None if not a number."""
    total, current, seen = 0, 0, False
    for word in words:
        if word in ("and", "a"):
            continue
        if word in UNITS:
            current += UNITS.index(word)
        elif word in TENS:
            current += TENS[word]
        elif word in SCALES:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] > 100:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return total + current if seen else None


def number(text: str) -> Resolved | None:
    match = _DIGITS.search(text)
    if match:
        value = match.group(0)
        return value, value
    tokens = re.findall(r"[a-z]+", text.lower())
    for start in range(len(tokens)):
        if tokens[start] not in NUMBER_WORDS or tokens[start] in ("and", "a"):
            continue
        end = start
        while end < len(tokens) and tokens[end] in NUMBER_WORDS:
            end += 1
        while end > start + 1 and tokens[end - 1] in ("and", "a"):
            end -= 1
        number = words_to_number(tokens[start:end])
        if number is not None:
            return " ".join(tokens[start:end]), str(number)
    return None


def _month(name: str) -> int:
    name = name.lower()
    return next(i + 1 for i, month in enumerate(MONTHS) if month == name or month[:3] == name)


def date_value(text: str, today: date | None = None) -> Resolved | None:
    today = today or date.today()
    lowered = text.lower()
    relative = {"today": 0, "tomorrow": 1, "yesterday": -1, "day after tomorrow": 2}
    for phrase in sorted(relative, key=len, reverse=True):
        if re.search(rf"\b{phrase}\b", lowered):
            return phrase, (today + timedelta(days=relative[phrase])).isoformat()
    match = _ISO_DATE.search(lowered)
    if match:
        return match.group(0), match.group(0)
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        match = pattern.search(lowered)
        if match:
            year = int(match.group(3)) if match.group(3) else today.year
            try:
                found = date(year, _month(match.group(month_group)), int(match.group(day_group)))
            except ValueError:
                return None
            if not match.group(3) and found < today:
                found = found.replace(year=year + 1)
            return match.group(0), found.isoformat()
    for index, day in enumerate(WEEKDAYS):
        if re.search(rf"\b{day}\b", lowered):
            ahead = (index - today.weekday()) % 7 or 7
            return day, (today + timedelta(days=ahead)).isoformat()
    return None


def time_value(text: str) -> Resolved | None:
    lowered = text.lower()
    for word, value in (("noon", "12:00"), ("midday", "12:00"), ("midnight", "00:00")):
        if re.search(rf"\b{word}\b", lowered):
            return word, value
    for match in _CLOCK.finditer(lowered):
        hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if not meridiem and match.group(2) is None:
            continue  # a bare number is not a time
        if meridiem and meridiem.startswith("p") and hour < 12:
            hour += 12
        if meridiem and meridiem.startswith("a") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return match.group(0).strip(), f"{hour:02d}:{minute:02d}"
    return None


def confirmation(text: str) -> Resolved | None:
    lowered = " ".join(re.findall(r"[a-z']+", text.lower()))
    for words, value in ((NO, "No"), (YES, "Yes")):
        for word in sorted(words, key=len, reverse=True):
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                return word, value
    return None


def _pattern(regex: re.Pattern[str], clean: Callable[[str], str] = str) -> Callable[[str], Resolved | None]:
    def resolve(text: str) -> Resolved | None:
        match = regex.search(text)
        return (match.group(0), clean(match.group(0))) if match else None

    return resolve


def percentage(text: str) -> Resolved | None:
    match = _PERCENT.search(text.lower())
    return (match.group(0), match.group(1)) if match else None


def free_form(text: str) -> Resolved | None:
    return (text, text) if text.strip() else None


RESOLVERS: dict[str, Callable[[str], Resolved | None]] = {
    "AMAZON.Number": number,
    "AMAZON.Date": date_value,
    "AMAZON.Time": time_value,
    "AMAZON.Confirmation": confirmation,
    "AMAZON.AlphaNumeric": _pattern(_ALNUM, str.upper),
    "AMAZON.EmailAddress": _pattern(_EMAIL),
    "AMAZON.PhoneNumber": _pattern(_PHONE, lambda found: re.sub(r"\D", "", found)),
    "AMAZON.Percentage": percentage,
    "AMAZON.FreeFormInput": free_form,
}

#: spoken forms to put in a speech grammar for a built-in type (pocketsphinx needs the words in advance)
SPOKEN_EXAMPLES: dict[str, list[str]] = {
    "AMAZON.Number": UNITS[1:] + list(TENS),
    "AMAZON.Confirmation": ["yes", "no", "yeah", "nope", "sure"],
    "AMAZON.Date": ["today", "tomorrow", "yesterday", *WEEKDAYS],
}
