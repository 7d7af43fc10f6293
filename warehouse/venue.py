"""The meeting place a listing's own text states: "Tues/Thurs 6:30pm at St. Matthews Episcopal Church,
330 N. Hubbards Ln." -> the venue and its street (schemas/address splits the street).

A place is read only after "at" (or "@"), or "in" before a room or hall, and only when it is named
like a place: capitalized words holding a place word ("Church", "Library", "Center"), or a street
with a number. A place mentioned for another reason ("sponsored by", "thanks to our friends at",
"no longer meets at") or a place that is a video room ("the Zoom Room") is not where it meets.
"""

import re
from functools import lru_cache

from schemas.address import place_from_one_line

PLACE_PARTS = ("location_name", "street", "city", "state", "postal_code")
PLACE_TYPE = ("STRUCT(location_name VARCHAR, street VARCHAR, city VARCHAR, state VARCHAR, "
              "postal_code VARCHAR)")
# Words that make a capitalized phrase the name of a place one can walk into.
_PLACE_WORD = re.compile(
    r"\b(?:church|chapel|cathedral|parish|temple|synagogue|mosque|meeting ?house|library|cent(?:er|re)"
    r"|hospital|clinic|hall|building|school|college|university|campus|institute|ymca|ywca|office"
    r"|offices|house|room|auditorium|lodge|club|clubhouse|museum|caf[eé]|coffee ?house|restaurant"
    r"|bookstore|park|plaza|tower|complex|arena|annex|pavilion|studio|gym)\b",
    re.IGNORECASE,
)
# "in" leads a place only before a room of a building ("in the Fellowship Hall of ...").
_ROOM_WORD = re.compile(r"\b(?:room|hall|chapel|library|auditorium|basement|lounge|annex)\b", re.I)
_REMOTE = re.compile(r"\b(?:zoom|online|virtual|video|webinar|teams|webex|google|phone|call)\b", re.I)
# Words before "at" within the sentence that make the place something other than where it meets.
_NOT_WHERE = re.compile(
    r"\b(?:sponsor\w*|thanks?|thank you|grateful|donat\w*|partner\w*|fund\w*|friends|staff|volunteer\w*"
    r"|works?|worked|working|employed|trained|founded|no longer|formerly|previously|used to|moved"
    r"|not|never|closed|instead of)\b",
    re.IGNORECASE,
)
_ANCHOR = re.compile(r"(?:\b(?P<word>at|in)\s+|@\s*)(?:the\s+)?", re.IGNORECASE)
# A run of capitalized words (with the small words names hold: "Church of the Redeemer").
_NAME = re.compile(
    r"(?P<name>[A-Z][\w'’.&-]*(?:\s+(?:(?:of|the|and|&|de|la|del|for)\s+)*[A-Z0-9][\w'’.&-]*)*)"
)
_WHEN_WORD = re.compile(
    r"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days?|january|february|march|april|may|june|july"
    r"|august|september|october|november|december|noon|midnight|every|each)\b",
    re.IGNORECASE,
)
# A street as prose writes it: a house number, then capitalized words, up to a lowercase word.
_STREET_START = re.compile(r"\d+[A-Za-z]?\s+(?!(?:[ap]\.?\s?m\b|o'clock))\S", re.I)
_TIME = re.compile(r"^\d{1,2}(?::\d{2})?\s*(?:[ap]\.?\s?m\b|noon)", re.I)
# Abbreviations a period does not end a sentence after ("St.", "N.", "Ln.", "Ste.").
_ABBREVIATIONS = frozenset({
    "st", "ln", "ave", "av", "rd", "dr", "blvd", "hwy", "pkwy", "ct", "pl", "cir", "sq", "ter", "ste",
    "apt", "fl", "rm", "bldg", "no", "mt", "ft", "n", "s", "e", "w", "ne", "nw", "se", "sw", "jr", "sr",
})
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"“(]|\s*$)|[;\n()]|\s[–—-]\s")


def stated_place(text: str | None) -> dict[str, str | None] | None:
    """Venue, street, city, state and ZIP of the first place the text says it meets at; None if none."""
    if not text:
        return None
    return _first_place(text)


@lru_cache(maxsize=4096)
def _first_place(text: str) -> dict[str, str | None] | None:
    """`stated_place`, once per distinct text."""
    for anchor in _ANCHOR.finditer(text):
        if _NOT_WHERE.search(_sentence_before(text, anchor.start())):
            continue
        place = _place_after(text[anchor.end():], by_room=(anchor["word"] or "").lower() == "in")
        if place:
            return place
    return None


def _sentence_before(text: str, end: int) -> str:
    """The words of the sentence before position `end` (from the last sentence end before it)."""
    start = 0
    for found in _SENTENCE_END.finditer(text, 0, end):
        if not _after_abbreviation(text, found.start()):
            start = found.end()
    return text[start:end]


def _after_abbreviation(text: str, period: int) -> bool:
    """True if the character at `period` is a period closing an abbreviation ("St.", "N.")."""
    if text[period] != ".":
        return False
    word = re.search(r"(\w+)$", text[:period])
    return bool(word) and word.group(1).lower() in _ABBREVIATIONS


def _place_after(rest: str, *, by_room: bool) -> dict[str, str | None] | None:
    """The place that `rest` (the text after "at"/"in") starts with, or None."""
    if _STREET_START.match(rest) and not _TIME.match(rest):
        street = _street(rest)
        return _place(None, street) if street and not by_room else None
    name_match = _NAME.match(rest)
    if name_match is None:
        return None
    name, after = _own_name(name_match["name"]), rest[name_match.end():]
    if name != name_match["name"]:
        after = ""  # the phrase ran past the name: what follows is not its street
    if not name or _REMOTE.search(name):
        return None
    street = _street(after[after.index(",") + 1:].lstrip()) if after.startswith(",") else None
    named_place = (_ROOM_WORD if by_room else _PLACE_WORD).search(name)
    if not named_place and not (street and street.get("street")):
        return None
    return _place(name, street)


def _own_name(phrase: str) -> str:
    """A capitalized phrase cut where the place's name ends: at a sentence end ("Library. Walk-ins"),
    a day or month ("Grace Church Sundays"), or "and"/"&" before a video room ("Church and Zoom")."""
    words: list[str] = []
    for word in phrase.split():
        if _WHEN_WORD.match(word):
            break
        words.append(word)
        if word.endswith(".") and word[:-1].lower() not in _ABBREVIATIONS:
            break
    name = " ".join(words)
    if _REMOTE.search(name):
        name = re.split(r"\s+(?:and|&)\s+", name)[0]
    return re.sub(r"\s+(?:of|the|and|&|de|la|del|for)$", "", name).rstrip(".")


def _street(text: str) -> dict[str, str] | None:
    """Street, city, state and ZIP of prose that starts with a street address; None if it does not."""
    if not _STREET_START.match(text) or _TIME.match(text):
        return None
    clause = _clause(text)
    parts = place_from_one_line(clause)
    street = parts.get("street") or ""
    if not re.match(r"\d", street) or len(street.split()) < 2:
        return None
    return parts


def _clause(text: str) -> str:
    """The text up to its sentence end or first lowercase word (prose resumes: "in the basement")."""
    end = len(text)
    for found in _SENTENCE_END.finditer(text):
        if not _after_abbreviation(text, found.start()):
            end = found.start()
            break
    words = []
    for word in text[:end].split():
        if word[0].islower():
            break
        words.append(word)
    return " ".join(words).rstrip(" ,")


def _place(name: str | None, parts: dict[str, str] | None) -> dict[str, str | None]:
    """The place as the struct the warehouse stores (missing parts are None)."""
    parts = parts or {}
    found = {"location_name": name, **{key: parts.get(key) for key in PLACE_PARTS[1:]}}
    return {key: (value.strip(" ,.") if key == "location_name" and value else value)
            for key, value in found.items()}
