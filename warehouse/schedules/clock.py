"""Times, time ranges and time zones of a schedule phrase: "7-8:30 pm ET" -> minutes and a zone."""

from dataclasses import dataclass

from warehouse.schedules import words
from warehouse.schedules.words import Refused, Token

TIME_KINDS = frozenset({"time", "num"})


@dataclass
class Clock:
    """A start time (and end, if given) in minutes after midnight, and the zone written beside it."""

    opens: int
    closes: int | None
    zone: str | None


def read_clock(tokens: list[Token], i: int, zones: set[str]) -> tuple[Clock | None, int]:
    """A time or time range with its zone; None for a number that is not a time ("ages 18-30")."""
    start, led = tokens[i], i > 0 and tokens[i - 1].kind == "at"
    stated: list[str] = []
    j = _read_zones(tokens, i + 1, stated)
    end = None
    if j + 1 < len(tokens) and tokens[j].kind == "dash" and tokens[j + 1].kind in TIME_KINDS:
        end = tokens[j + 1]
        j = _read_zones(tokens, j + 2, stated)
    hint = tokens[j].value if j < len(tokens) and tokens[j].kind == "hint" else None
    if not _is_clock(start, end, led, hint):
        return None, i + 1
    opens, closes = _resolve(_as_clock(start, hint), _as_clock(end, hint) if end else None)
    duration = _skip_words(tokens, j, ("for", "("))  # "7 pm for 90 minutes", "7 pm (90 minutes)"
    if closes is None and duration < len(tokens) and tokens[duration].kind == "dur":
        closes, j = (opens + tokens[duration].value) % 1440, duration + 1
    zone = one_zone(stated)
    zones.update(stated)
    return Clock(opens, closes, zone), j


def _skip_words(tokens: list[Token], j: int, skippable: tuple[str, ...]) -> int:
    """The index of the first token from j on whose text is not one of the skippable words."""
    while j < len(tokens) and tokens[j].text.lower() in skippable:
        j += 1
    return j


def _is_clock(start: Token, end: Token | None, led: bool, hint: str | None) -> bool:
    """True if the tokens are meant as a time: a written time, or a number after "at"/"from"."""
    # "at 7" is meant as a time, though an ambiguous one (refused when resolved).
    return start.kind == "time" or (end is not None and end.kind == "time") or led or hint is not None


def _as_clock(token: Token, hint: str | None) -> tuple[int, int, str | None]:
    """(hour, minute, meridiem) of a time or a bare number; a trailing "in the evening" is pm."""
    hour, minute, meridiem = token.value if token.kind == "time" else (token.value, 0, None)
    return hour, minute, meridiem or hint


def _read_zones(tokens: list[Token], j: int, found: list[str]) -> int:
    """Collect the zone tokens right after a time ("ET", "EST/EDT", "MST (Arizona)")."""
    while j < len(tokens):
        token = tokens[j]
        if token.kind == "zone":
            found.append(token.value)
        elif not ((token.text in "(/" and j + 1 < len(tokens) and tokens[j + 1].kind == "zone")
                  or (token.text == ")" and found)):
            break
        j += 1
    return j


def one_zone(zones: list[str] | set[str]) -> str | None:
    """The zone the words name; "MST (Arizona)" is Phoenix; two different zones are refused."""
    distinct = set(zones)
    if words.FOREIGN in distinct:
        raise Refused("a time zone outside the US")
    if distinct == {"America/Denver", "America/Phoenix"}:
        return "America/Phoenix"
    if len(distinct) > 1:
        raise Refused("two time zones for one time")
    return distinct.pop() if distinct else None


def _resolve(start: tuple, end: tuple | None) -> tuple[int, int | None]:
    """Start and end in minutes; a missing am/pm comes from the other end when that is sensible."""
    if end is None:
        return _to_minutes(*start), None
    if start[2] and end[2]:
        opens, closes = _to_minutes(*start), _to_minutes(*end)
    elif end[2] in ("am", "pm"):
        closes = _to_minutes(*end)
        opens = _first_before(start, closes, end[2])
    elif start[2] in ("am", "pm"):
        opens = _to_minutes(*start)
        closes = _first_after(end, opens, start[2])
    else:
        raise Refused("a time range without am or pm")
    if opens == closes:
        raise Refused("a time range that ends when it starts")
    return opens, closes


def _first_before(start: tuple, closes: int, meridiem: str) -> int:
    """The start's minutes with the end's meridiem if it comes before the end, else the other."""
    for candidate in (meridiem, "am" if meridiem == "pm" else "pm"):
        opens = _to_minutes(start[0], start[1], candidate)
        if opens < closes:
            return opens
    raise Refused("no sensible start for the range")


def _first_after(end: tuple, opens: int, meridiem: str) -> int:
    """The end's minutes with the start's meridiem if it comes after the start, else the other."""
    for candidate in (meridiem, "am" if meridiem == "pm" else "pm"):
        closes = _to_minutes(end[0], end[1], candidate)
        if closes > opens:
            return closes
    raise Refused("no sensible end for the range")


def _to_minutes(hour: int, minute: int, meridiem: str | None) -> int:
    """Minutes after midnight; a 12-hour time without am/pm is ambiguous."""
    if meridiem == "24" and hour <= 23:
        return hour * 60 + minute
    if meridiem in ("am", "pm") and 1 <= hour <= 12:
        return (hour % 12 + (12 if meridiem == "pm" else 0)) * 60 + minute
    raise Refused(f"an ambiguous or impossible time {hour}:{minute:02d}")


