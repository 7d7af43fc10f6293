"""The words of published meeting schedules: one regular expression per token kind, and their values.

warehouse/schedules/text.py reads a schedule phrase as a sequence of these tokens. The order of
TOKEN_PATTERNS matters: at any position the first kind that matches wins, so multi-word phrases
("every other week", "of the month") come before the single words they contain.
"""

import re
from dataclasses import dataclass

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ALL_DAYS = tuple(range(7))

# Time-zone words and abbreviations as US listings write them, mapped to IANA zones.
ZONES: dict[str, str] = {
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "eastern": "America/New_York",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "central": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "mountain": "America/Denver",
    "arizona": "America/Phoenix",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "akt": "America/Anchorage", "akst": "America/Anchorage", "akdt": "America/Anchorage",
    "alaska": "America/Anchorage",
    "ht": "Pacific/Honolulu", "hst": "Pacific/Honolulu", "hawaii": "Pacific/Honolulu",
    "utc": "UTC", "gmt": "UTC",
}
# Zones outside the US that a listing might name: the time is then not in any zone we map.
FOREIGN_ZONES = frozenset({"bst", "cet", "cest", "ist", "aest", "aedt", "nzst", "nzdt", "wet", "eet"})
FOREIGN = "foreign"
# Zone words that are also ordinary words ("Central Christian Church"): a zone only when no
# capitalized word follows them (other than Time/Standard/Daylight).
PLAIN_ZONE_WORDS = frozenset({"eastern", "central", "mountain", "pacific", "alaska", "hawaii", "arizona"})

DAY_NAMES: dict[str, int] = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
# "Sat" and "Sun" are also words ("Sun City"): days only when a period, punctuation, a number
# or the end follows.
SHORT_WEEKEND = frozenset({"sat", "sun"})
ORDINALS: dict[str, int] = {
    "1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4,
    "5th": 5, "fifth": 5, "last": -1,
}
COUNTS: dict[str, int] = {"once": 1, "twice": 2, "thrice": 3, "two": 2, "three": 3, "four": 4, "five": 5}

_DAY = (r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
        r"|sat(?:urday)?|sun(?:day)?)")
_MONTH_NAMES = (
    r"january|february|march|april|june|july|august|september|october|november|december"
)
_MONTH_ABBR = r"jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec"

# Text that says the published times are not the whole story: never turned into rules.
REFUSE = re.compile(
    r"\b(?:except|excluding|excludes|cancel+ed|cancel+ations?|suspended|postponed|on\s+hold|paused"
    r"|tb[ad]|to\s+be\s+(?:announced|determined)|var(?:y|ies|ying)|rotat(?:es|ing)"
    r"|bi-?weekly|bi-?monthly|semi-?monthly|no\s+meetings?|call\s+to\s+confirm)\b"
    # A calendar date (a one-off meeting, or a series that starts or ends): "March 3", "1/15".
    rf"|\b(?:{_MONTH_NAMES})\b|\b(?:{_MONTH_ABBR})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b",
    re.IGNORECASE,
)

TOKEN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("count", r"\b(?:once|twice|thrice|(?:two|three|four|five|[1-7])\s*(?:x|times))\s+"
              r"(?:a|per|each|every)\s+(?P<count_unit>week|month)\b"),
    ("interval2", r"\bevery\s+(?:other|second|2nd|two|2)\s+weeks?\b|\bevery\s+other\b"
                  r"|\balternat(?:e|ing)\b|\bfortnightly\b"),
    ("month", r"\bof\s+(?:the|each|every)\s+month\b|\b(?:each|every|a|per)\s+month\b|\bmonthly\b"),
    ("daily", r"\b(?:daily|nightly|every\s*day|each\s+day|(?:7|seven)\s+days\s+a\s+week)\b"),
    ("weekdays", r"\bweek\s?days?\b"),
    ("weekends", r"\bweekends?\b"),
    ("time", r"\b(?:12\s*)?(?:noon|midnight)\b"
             r"|\b\d{1,2}(?:[:.][0-5]\d)?\s*[ap]\.?\s?m\b\.?"
             r"|\b\d{1,2}:[0-5]\d\b"),
    ("zone", r"\b(?:[ecmp][sd]?t|ak[sd]?t|h[s]?t|utc|gmt|eastern|central|mountain|pacific|alaska|hawaii"
             r"|arizona|bst|cet|cest|ist|aest|aedt|nzst|nzdt|wet|eet)\b"
             r"(?P<zone_time>(?:\s+(?:standard|daylight))?\s+time\b(?!\s*zones?))?"),
    ("ord", r"\b(?:[1-5](?:st|nd|rd|th)|first|second|third|fourth|fifth|last)\b"),
    ("day", rf"\b{_DAY}s?\b\.?"),
    ("dur", r"\b(?P<dur_n>\d{2,3}|1\.5|an?|one|two|[12])[\s-]*(?P<dur_unit>minutes?|mins?|hours?|hrs?)\b"),
    ("num", r"\b\d{1,2}\b"),
    ("dash", r"[-–—]|\b(?:to|until|till|til|through|thru)\b"),
    ("join", r"[&,/+]|\b(?:and|plus)\b"),
    ("or", r"\bor\b"),
    ("at", r"@|\b(?:at|from|starting|starts|begins?)\b"),
    ("hint", r"\b(?:in\s+the\s+)?(?P<hint_word>morning|afternoon|evening|night)s?\b"),
    ("word", r"[a-z]+"),
    ("punct", r"[().;:!?]"),
)
TOKENS = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in TOKEN_PATTERNS), re.IGNORECASE)
# A zone abbreviation or word is a statement about all times when it reads "... times are ET".
ZONE_STATED_BEFORE = re.compile(r"\btimes?\s+(?:are\s+|shown\s+|listed\s+)?(?:in\s+)?$", re.IGNORECASE)
CAPITALIZED_NEXT = re.compile(r"\s+(?!(?:Time|Standard|Daylight)\b)[A-Z][a-z]")
MULTI_DAY = {"daily": ALL_DAYS, "weekdays": tuple(range(5)), "weekends": (5, 6)}


class Refused(Exception):
    """The text does not state a schedule clearly enough to turn into rules."""


@dataclass(frozen=True)
class Token:
    """One word or symbol of a schedule phrase, with its kind and value."""

    kind: str
    text: str
    value: object = None
    stated: bool = False  # a zone given for the whole text ("Central Time", "times are ET")


def tokenize(text: str) -> list[Token]:
    """The phrase as tokens, in order; text no pattern knows is skipped."""
    tokens = []
    for match in TOKENS.finditer(text):
        token = _token(match, text)
        if token is not None:
            tokens.append(token)
    return tokens


def _token(match: re.Match, text: str) -> Token | None:
    """One regex match as a token (day, time, zone... or a plain word)."""
    kind, raw = match.lastgroup or "word", match.group(0)
    low = raw.lower().rstrip(".")
    if kind == "day":
        name = low[:-1] if low.endswith("s") and low[:-1] in DAY_NAMES else low
        after = text[match.end():]
        if name in SHORT_WEEKEND and not (raw.endswith(".") or re.match(r"[/,&-]|\s*$|\s*\d", after)):
            return Token("word", raw)
        return Token("day", raw, (DAY_NAMES[name],))
    if kind in MULTI_DAY:
        return Token("day", raw, MULTI_DAY[kind])
    if kind == "zone":
        return _zone_token(match, text)
    values = {
        "time": _clock_value, "num": int, "ord": ORDINALS.get,
        "count": lambda _: (_count(low), match.group("count_unit").lower()),
        "dur": lambda _: _minutes(match.group("dur_n"), match.group("dur_unit")),
        "hint": lambda _: "am" if match.group("hint_word").lower() == "morning" else "pm",
    }
    value = values[kind](low) if kind in values else None
    return Token(kind, raw, value)


def _zone_token(match: re.Match, text: str) -> Token:
    """A time-zone word; an ordinary word when it reads as one ("Central Christian Church")."""
    word = match.group(0).split()[0].lower()
    if word in PLAIN_ZONE_WORDS and CAPITALIZED_NEXT.match(text, match.end()):
        return Token("word", match.group(0))
    zone = FOREIGN if word in FOREIGN_ZONES else ZONES[word]
    stated = bool(match.group("zone_time")) or bool(ZONE_STATED_BEFORE.search(text[: match.start()]))
    return Token("zone", match.group(0), zone, stated)


def _clock_value(low: str) -> tuple[int, int, str | None]:
    """(hour, minute, meridiem) of a time: 'am', 'pm', '24' (24-hour) or None (not said)."""
    if low.endswith("noon"):
        return 12, 0, "pm"
    if low.endswith("midnight"):
        return 12, 0, "am"
    match = re.match(r"(\d{1,2})(?:[:.](\d{2}))?\s*(?:([ap])\.?\s?m)?", low)
    hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
    if meridiem:
        return hour, minute, meridiem + "m"
    twenty_four = hour == 0 or hour >= 13 or low.startswith("0")
    return hour, minute, "24" if twenty_four else None


def _count(low: str) -> int:
    """How many times a "twice a week" phrase says."""
    first = low.split()[0].rstrip("x")
    return int(first) if first.isdigit() else COUNTS[first.removesuffix("times").strip()]


def _minutes(amount: str, unit: str) -> int:
    """A duration in minutes ("90 minutes", "1.5 hours", "an hour")."""
    number = {"a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0}.get(amount.lower()) or float(amount)
    return round(number * (60 if unit.lower().startswith("h") else 1))


