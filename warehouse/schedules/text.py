"""Meeting schedules from published prose: "2nd & 4th Tuesdays, 7-8:30 pm" -> structured rules.

The grammar is small and explicit. A phrase is read as tokens (schedule_words.TOKENS), then as
*day groups* ("Mondays and Wednesdays", "2nd & 4th Tuesdays", "every other Thursday") and
*clocks* ("7-8:30 pm ET"), which must alternate: days then times ("Mondays at 7 p.m. and
Wednesdays at 6 p.m.") or times then days ("7 p.m. every Tuesday"). Anything that does not say
a day and an unambiguous time, or that hedges (except, varies, a date, "or" between days), gives
no rules: a day or a time is never guessed.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from schemas.schedule import ScheduleRule
from warehouse.schedules import words
from warehouse.schedules.clock import TIME_KINDS, Clock, one_zone, read_clock
from warehouse.schedules.words import Refused, Token, tokenize

DAY_KINDS = frozenset({"day", "ord"})
_REFERENCE_DAYS = (datetime(2026, 1, 15), datetime(2026, 7, 15))  # winter and summer offsets


@dataclass
class DayGroup:
    """Days that share the following times: (weekday 0=MO..6=SU, ordinal or None) pairs."""

    days: list[tuple[int, int | None]]
    interval: int = 1
    every: bool = False  # written "every 2nd Tuesday" (ambiguous without "of the month")


@dataclass
class Reading:
    """What a phrase says: its day groups and clocks in order, and the facts that constrain them."""

    items: list[DayGroup | Clock | str] = field(default_factory=list)
    zones: set[str] = field(default_factory=set)
    counts: list[tuple[int, str]] = field(default_factory=list)
    monthly: bool = False


def parse_schedule(text: str | None, default_timezone: str | None = None) -> list[ScheduleRule]:
    """The weekly/monthly rules a schedule phrase states; [] when it does not say enough."""
    if default_timezone is not None:
        ZoneInfo(default_timezone)  # a bad zone is the caller's error, not a refusal
    if not text or not text.strip() or words.REFUSE.search(text):
        return []
    try:
        reading = _read(tokenize(text))
        return _rules(reading, _pairs(reading.items), default_timezone)
    except Refused:
        return []


def _read(tokens: list[Token]) -> Reading:
    """Day groups and clocks in order, with zones, counts and the monthly marker."""
    reading, i = Reading(), 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind in DAY_KINDS:
            group, i = _read_days(tokens, i)
            if group is not None:
                reading.items.append(group)
            continue
        if token.kind in TIME_KINDS:
            clock, i = read_clock(tokens, i, reading.zones)
            if clock is not None:
                reading.items.append(clock)
            continue
        if token.kind == "interval2":
            reading.items.append("interval2")
        elif token.kind == "or":
            _check_or(tokens, i)
        elif token.kind == "zone" and token.stated:
            reading.zones.add(token.value)
        elif token.kind == "count":
            reading.counts.append(token.value)
            reading.monthly = reading.monthly or token.value[1] == "month"
        elif token.kind == "month":
            reading.monthly = True
        i += 1
    return reading


def _read_days(tokens: list[Token], i: int) -> tuple[DayGroup | None, int]:
    """A run of days and ordinals joined by and/&/,// or a range ("Mon-Fri"); None if no day."""
    every = i > 0 and tokens[i - 1].text.lower() in ("every", "each")
    days: list[tuple[int, int | None]] = []
    pending: list[int] = []
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "ord":
            pending.append(token.value)
        elif token.kind == "day":
            values, i = _day_range(tokens, i) if not pending else (token.value, i)
            days += [(day, ordinal) for ordinal in (pending or [None]) for day in values]
            pending = []
        elif token.kind == "join" or token.text.lower() == "the":
            following = _skip(tokens, i, lambda t: t.kind == "join" or t.text.lower() == "the")
            if following >= len(tokens) or tokens[following].kind not in ("day", "ord"):
                break
            i = following
            continue
        else:
            break
        i += 1
    return (DayGroup(days, every=every) if days else None), i


def _day_range(tokens: list[Token], i: int) -> tuple[tuple[int, ...], int]:
    """A day, or the days of a range "Mon-Fri" / "Monday through Thursday" (index of its end)."""
    start = tokens[i].value
    if (len(start) == 1 and i + 2 < len(tokens) and tokens[i + 1].kind == "dash"
            and tokens[i + 2].kind == "day" and len(tokens[i + 2].value) == 1):
        first, last = start[0], tokens[i + 2].value[0]
        return tuple((first + step) % 7 for step in range((last - first) % 7 + 1)), i + 2
    return start, i


def _skip(tokens: list[Token], i: int, skippable) -> int:
    """The index of the first token from i on that is not skippable."""
    while i < len(tokens) and skippable(tokens[i]):
        i += 1
    return i


def _check_or(tokens: list[Token], i: int) -> None:
    """"Tuesdays or Wednesdays", "7 or 7:30 pm": an alternative is not a schedule."""
    before, after = tokens[i - 1] if i else None, tokens[i + 1] if i + 1 < len(tokens) else None
    meaningful = DAY_KINDS | TIME_KINDS
    if before and after and before.kind in meaningful and after.kind in meaningful:
        raise Refused("an alternative between days or times")


def _pairs(items: list[DayGroup | Clock | str]) -> list[tuple[DayGroup, list[Clock]]]:
    """Each day group with its clocks: days then times, or times then days, alternating."""
    runs: list[list] = []
    for item in _apply_intervals(items):
        kind = "D" if isinstance(item, DayGroup) else "T"
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(item)
        else:
            runs.append([kind, [item]])
    if not runs or len(runs) % 2:  # runs alternate, so an even count pairs every run
        raise Refused("a day without a time, or a time without a day")
    days_first = runs[0][0] == "D"
    pairs = []
    for index in range(0, len(runs), 2):
        day_run, time_run = (runs[index], runs[index + 1]) if days_first else (runs[index + 1], runs[index])
        pairs.append((_merge_groups(day_run[1]), _same_meeting(time_run[1])))
    return pairs


def _apply_intervals(items: list[DayGroup | Clock | str]) -> list[DayGroup | Clock]:
    """Attach "every other ..." to the day group it qualifies (the next, else the previous)."""
    for index, item in enumerate(items):
        if item != "interval2":
            continue
        neighbours = items[index + 1 : index + 2] + items[max(index - 1, 0) : index]
        group = next((n for n in neighbours if isinstance(n, DayGroup)), None)
        if group is None:
            raise Refused("'every other' without a day")
        group.interval = 2
    return [item for item in items if item != "interval2"]


def _merge_groups(groups: list[DayGroup]) -> DayGroup:
    """Day groups in a row with no time between must say the same days ("Tuesday Night: Tuesdays")."""
    if any((g.days, g.interval) != (groups[0].days, groups[0].interval) for g in groups):
        raise Refused("two different sets of days share one time")
    return groups[0]


def _same_meeting(clocks: list[Clock]) -> list[Clock]:
    """Times of one day group; "7 pm ET / 4 pm PT" is one meeting written in two zones."""
    zones = {c.zone for c in clocks if c.zone}
    if len(zones) <= 1:
        return clocks
    instants = [{_instant(c, day) for c in clocks} for day in _REFERENCE_DAYS]
    if any(len(moments) == 1 for moments in instants):
        return clocks[:1]
    raise Refused("the same meeting given at different times in two zones")


def _instant(clock: Clock, day: datetime) -> datetime:
    """The UTC instant of a clock on a reference day (to compare times written in two zones)."""
    local = day.replace(hour=clock.opens // 60, minute=clock.opens % 60, tzinfo=ZoneInfo(clock.zone or "UTC"))
    return local.astimezone(ZoneInfo("UTC"))


def _rules(reading: Reading, pairs: list[tuple[DayGroup, list[Clock]]],
           default: str | None) -> list[ScheduleRule]:
    """Rules from the paired days and times, checked against "twice a week" and "monthly"."""
    mentioned = reading.zones | {c.zone for _, clocks in pairs for c in clocks if c.zone}
    merged: dict[tuple, list[tuple[int, int | None]]] = {}
    for group, clocks in pairs:
        _check_group(group, reading.monthly)
        for clock in clocks:
            # A time without its own zone takes the one zone the text names, else the listing's.
            zone = clock.zone or (one_zone(mentioned) if mentioned else default)
            weekly = [(d, None) for d, o in group.days if o is None]
            monthly = [(d, o) for d, o in group.days if o is not None]
            for freq, days, interval in (("WEEKLY", weekly, group.interval), ("MONTHLY", monthly, 1)):
                if days:
                    merged.setdefault((freq, interval, clock.opens, clock.closes, zone), []).extend(days)
    rules = [_rule(key, days) for key, days in merged.items()]
    _check_counts(rules, reading.counts)
    return rules


def _check_group(group: DayGroup, monthly: bool) -> None:
    """Refuse "every other 2nd Tuesday", "monthly on Tuesdays" and "every 2nd Tuesday"."""
    ordinals = {o for _, o in group.days if o is not None}
    if ordinals and group.interval > 1:
        raise Refused("'every other' with an ordinal day")
    if monthly and not ordinals:
        raise Refused("monthly, but no week of the month")
    if group.every and ordinals == {2} and not monthly:
        raise Refused("'every 2nd Tuesday' may mean every other week")


def _check_counts(rules: list[ScheduleRule], counts: list[tuple[int, str]]) -> None:
    """"twice a week" must match the days the rules give (contradictions are refused)."""
    for number, unit in counts:
        freq = "WEEKLY" if unit == "week" else "MONTHLY"
        given = sum(len(r.byday.split(",")) for r in rules if r.freq == freq and r.interval == 1)
        if given != number:
            raise Refused(f"says {number} a {unit} but names {given}")


def _rule(key: tuple, days: list[tuple[int, int | None]]) -> ScheduleRule:
    """One rule from its (freq, interval, opens, closes, zone) and days, days in week order."""
    freq, interval, opens, closes, zone = key
    ordered = sorted(set(days), key=lambda d: (d[0], 6 if d[1] == -1 else d[1] or 0))
    byday = ",".join(f"{o or ''}{words.WEEKDAYS[d]}" for d, o in ordered)
    return ScheduleRule(freq=freq, interval=interval, byday=byday, opens_at=_hhmm(opens),
                        closes_at=_hhmm(closes), timezone=zone)


def _hhmm(minutes: int | None) -> str | None:
    """Minutes after midnight as HH:MM."""
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"
