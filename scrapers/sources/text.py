"""Text helpers shared by the parsers: whitespace, slugs, sentences and schedule phrases."""

import hashlib
import re
import unicodedata

from schemas.urls import bare_domain_url, is_http_url
from scrapers.urls import absolute_url

# Full weekday names (singular or plural), the usual abbreviations ("Tues/Thurs", "Wed."),
# and "Sat"/"Sun" only when punctuation follows, so "Sun City" is not a Sunday.
WEEKDAY = re.compile(
    r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b"
    r"|(?:mon|tues?|wed|thu(?:rs?)?|fri)\b\.?"
    r"|(?:sat|sun)(?=[./,&-]))",
    re.IGNORECASE,
)
# "7pm", "6:30pm", "3:00 PM", "1:00 p.m.", "19:30", "noon".
TIME_OF_DAY = re.compile(
    r"\b(?:\d{1,2}(?::\d{2})?\s*[ap]\.?\s?m\b\.?|\d{1,2}:\d{2}\b|noon\b|midnight\b)",
    re.IGNORECASE,
)
# "ET", "PST", "Eastern", "Pacific Time".
TIME_ZONE = re.compile(
    r"\b(?:[ECMP][SD]?T|Eastern|Central|Mountain|Pacific|Alaska|Hawaii|Arizona)\b(?:\s+time\b)?",
    re.IGNORECASE,
)

# Words that may join days and times in a schedule phrase ("2nd and 4th Tuesdays at 7 pm").
_CONNECTORS = re.compile(
    r"\b(?:at|and|from|to|until|every|each|on|the|of|in|\d+(?:st|nd|rd|th))\b|[&/,.;:|()–—-]",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
# Words after which a period does not end a sentence ("St. Mark's", "Dr. Lee", "330 N. Main").
_ABBREVIATIONS = frozenset({"st", "dr", "mt", "ft", "mr", "mrs", "ms", "no", "jr", "sr", "rev"})


def clean(text: str | None) -> str:
    """Text with whitespace runs (incl. non-breaking spaces) collapsed to one space, trimmed."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", text or "")).strip()


def slugify(text: str) -> str:
    """Lowercase ASCII slug joined by hyphens: "DBSA Women’s Circle" -> "dbsa-womens-circle"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def slug_key(text: str) -> str:
    """A listing key from a name: its slug, or a short hash if the name has no ASCII letters."""
    return slugify(text) or "h-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def has_weekday(text: str) -> bool:
    """True if the text names a day of the week."""
    return WEEKDAY.search(text) is not None


def has_time(text: str) -> bool:
    """True if the text holds a time of day."""
    return TIME_OF_DAY.search(text) is not None


def is_schedule(text: str) -> bool:
    """True if the text names a weekday and a time of day (anywhere in it)."""
    return has_weekday(text) and has_time(text)


def is_schedule_only(text: str) -> bool:
    """True if a text is only days, times and time zones ("Sundays at 3:00 PM ET")."""
    rest = TIME_ZONE.sub(" ", WEEKDAY.sub(" ", TIME_OF_DAY.sub(" ", text)))
    return has_weekday(text) and re.search(r"[a-z]", _CONNECTORS.sub(" ", rest), re.I) is None


def sentences(text: str) -> list[str]:
    """Sentences of prose, one paragraph per line, not broken after common abbreviations."""
    found: list[str] = []
    for paragraph in text.splitlines():
        current = ""
        for piece in _BOUNDARY.split(clean(paragraph)):
            if current and not _continues(current, piece):
                found.append(current)
                current = piece
            else:
                current = f"{current} {piece}".strip()
        if current:
            found.append(current)
    return found


def _continues(before: str, after: str) -> bool:
    """True if the period ending `before` is an abbreviation, not the end of a sentence."""
    last = before.rsplit(" ", 1)[-1].rstrip(".").lower()
    if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
        return True
    # "7 p.m. Eastern" is one phrase, not two sentences.
    return last in ("a.m", "p.m") and TIME_ZONE.match(after) is not None


def schedule_sentences(text: str) -> list[str]:
    """The sentences of a text that name a weekday or a time of day, verbatim."""
    return [s for s in sentences(text) if has_weekday(s) or has_time(s)]


def schedule_text(text: str | None) -> str | None:
    """The schedule sentences of a text joined by a space, or None if it has none."""
    found = schedule_sentences(text or "")
    return " ".join(found) if found else None


def unique_key(key: str, used: set[str]) -> str:
    """The key, or key-2, key-3... if already used; the result is added to `used`."""
    candidate, number = key, 2
    while candidate in used:
        candidate, number = f"{key}-{number}", number + 1
    used.add(candidate)
    return candidate


# Characters no well-formed href holds once unescaped: a sign of broken markup or a bad decode.
_BROKEN_HREF = re.compile(r'["<>\\^`{|}\ufffd\x00-\x1f\x7f]')
_ENCODED_BROKEN = re.compile(r"%(?:[01][0-9a-f]|7f|ef%bf%bd)", re.IGNORECASE)


def broken_href(href: str) -> bool:
    """True when an href holds a character no well-formed one does (broken markup, a bad decode).

    Control characters and U+FFFD count percent-encoded too: lxml hands them over that way
    (a NUL as `%EF%BF%BD`, U+0001 as `%01`).
    """
    return bool(_BROKEN_HREF.search(href) or _ENCODED_BROKEN.search(href))


def link_url(page_url: str, href: str) -> str | None:
    """A link made absolute if it is a well-formed http(s) URL, else None (never raises).

    Inner spaces are percent-encoded as a browser would; quotes, angle brackets, control
    characters or U+FFFD (a bad decode) mean the href is broken, and nothing is guessed.
    """
    href = href.strip()
    if broken_href(href):
        return None
    try:
        url = absolute_url(page_url, href.replace(" ", "%20"))
        return url if is_http_url(url) else None
    except ValueError:  # e.g. "http://[bad" (an unclosed IPv6 bracket)
        return None


def written_url(text: str | None) -> str | None:
    """A web address written as text ("www.mhai.net", "https://x.org/a") as an http(s) URL; else None."""
    text = clean(text)
    if not text or " " in text or broken_href(text):
        return None
    return text if is_http_url(text) else bare_domain_url(text)
