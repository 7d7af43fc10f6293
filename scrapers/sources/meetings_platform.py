"""The meetings platform SMART Recovery and LifeRing share: a sitemap, then one page per meeting.

A meeting page (/meetings/<id>/) carries an AddEvent "Add to Calendar" block
(<div class="addeventatc"> with start, end, timezone, title, description and an RRULE in
<span class="recurring">), a https://www.google.com/maps/dir//<address> link for a place, and an
"Online Meeting" card with a join (or registration) link.

Decisions (tested in tests/test_meetings_platform.py):
- The RRULE is read by python-dateutil; WEEKLY (any interval), DAILY (every day of the week) and
  MONTHLY by ordinal weekday (1SA, or BYDAY=TH;BYSETPOS=-1) become schedule rules; anything else
  (BYMONTHDAY=15...) gives no rule and keeps the RRULE text as schedule_text.
- A series that has no occurrence left when the page was fetched (UNTIL or COUNT in the past) has
  ended: the meeting is skipped, not listed. A meeting that never existed is better than one that
  sends someone to an empty room.
- The card's link is the conference URL; a link that says register is the registration URL.
  The card itself states attendance: online, or hybrid when the page also has a place; without
  the card attendance is left to the warehouse. The facilitator (a person) is never read.
- Real pages exist without an AddEvent block (meetings that are not weekly): they are listed from
  their name (AddEvent title, heading, else page title; "... Meeting: #1067 - Global - Name" and
  "#1038 - City, State - Name" give the name after the number), the "When" prose as
  schedule_text (the warehouse reads it into rules), the labels (Program:, Audiences:,
  Languages spoken:), the place and the card. Only a page with no meeting at all (no name, or a
  name with nothing else) is SourceChanged.
- HTML comments are never read (an old AddEvent block or address left in one).
- The page is read from its lxml tree (a big regular page: one parse, no BeautifulSoup tree), with
  BeautifulSoup's text rules (scrapers/sources/tree.py).
- In the card, only a link off the site that looks like a meeting (a conference host such as
  pathcheck.net or zoom.us, or "join"/"register") is read; "contact the convenor" gives none.
- The maps/dir address is brought to "street, City, ST 12345[, country]" (full state name, ZIP
  before the state, no comma before the city: the page title's city splits it) before the
  shared splitter reads it.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import ClassVar, NamedTuple
from urllib.parse import unquote_plus, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rrulestr
from lxml.html import HtmlElement

from schemas.address import country_code, place_from_one_line, state_code
from schemas.listing import ParsedListing
from schemas.schedule import WEEKDAYS, ScheduleRule
from scrapers.base import Source
from scrapers.page import Link, Page
from scrapers.sources.audiences import audiences_in
from scrapers.sources.sitemap import NotASitemap, read_sitemap
from scrapers.sources.text import clean, link_url, schedule_text
from scrapers.sources.tree import ancestor, class_search, classes, get_text, has_class
from scrapers.urls import host_of

MEETING_PATH = re.compile(r"/meetings/(?P<id>\d+)/?$")  # searched: a mirror may prefix the path
MAPS_DIR = "google.com/maps/dir//"
ONLINE_HEADING = re.compile(r"^\s*online meeting\s*$", re.I)
REGISTER = re.compile(r"regist|sign[\s_-]?up", re.I)
FIELD_LINE = re.compile(r"^(?P<key>[A-Za-z ]{2,30}):\s*(?P<value>.*)$")
LABELS = frozenset({"program", "audiences", "languages spoken", "languages"})
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "strong")
WHEN_HEADING = re.compile(r"^\s*when\s*$", re.I)
CARD = re.compile(r"\bcard\b")
# "#1038 - City, State - Name", "... Meeting: #1067 - Global - Name", "... - Meeting #9234 City, State".
NUMBERED = re.compile(r"^(?:.*?\bMeeting:?\s+)?#(?P<number>\d+)\b(?P<rest>.*)$", re.I)
DASH = re.compile(r"\s+[-–—]\s+")
SITE_SUFFIX = re.compile(r"\s+\|\s+[^|]*$")  # "Name | SMART Recovery Meetings"
CONTACT = re.compile(r"contact|convenor|facilitator|e-?mail", re.I)
JOIN = re.compile(r"\bjoin\b", re.I)
CONFERENCE_HOST = re.compile(
    r"(?:^|\.)(?:pathcheck\.net|zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|webex\.com)$")
ZIP = re.compile(r"\d{5}(?:-\d{4})?")
NO_MEETING = ("no meeting on the page: no AddEvent block (div.addeventatc), "
              "nor a name with a schedule, a place or an online card")


class MeetingsPlatform(Source):
    """A site of the meetings platform; subclasses set the identity and the topics."""

    topics: ClassVar[tuple[str, ...]] = ("substance use", "addiction")
    start_paths = ("/sitemap.xml",)
    min_interval = 1.0
    max_pages = 15_000  # the sitemap and one page per meeting: SMART has about 1,250
    hosts: ClassVar[frozenset[str]] = frozenset()

    def discover(self, page: Page) -> list[Link]:
        """Child sitemaps of a sitemap index, and the /meetings/<id>/ pages of a sitemap."""
        if not _is_sitemap(page):
            return []
        try:
            sitemap = read_sitemap(page)
        except NotASitemap as exc:
            raise self.changed(page, str(exc)) from None
        found = [self._own(loc, sitemap_link=True) for loc in sitemap.children]
        found += [self._own(loc) for loc, _ in sitemap.pages]
        links = [Link(url) for url in found if url]
        if not links:
            raise self.changed(page, "the sitemap lists no /meetings/<id>/ page and no sitemap")
        return links

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """The meeting of a meeting page (none if its series has ended); sitemaps hold none."""
        if _is_sitemap(page):
            return []
        match = MEETING_PATH.search(urlsplit(page.url).path)
        if match is None:
            raise self.changed(page, "not a /meetings/<id>/ URL")
        found = _read_page(page.tree(), page.url, self.hosts | {host_of(page.url)})
        if not found.is_meeting:
            raise self.changed(page, NO_MEETING)
        rules, text, ended = _schedule(found.calendar, page.fetched_at)
        if ended:
            return []
        # Without a rule or an RRULE (no AddEvent block, or none in it), the page's own prose.
        return [self._listing(page, match["id"], found, rules, None if rules else text or found.prose)]

    def _listing(self, page: Page, key: str, found: "MeetingPage", rules: tuple[ScheduleRule, ...],
                 text: str | None) -> ParsedListing:
        """One meeting page as a group listing."""
        description = found.calendar.get("description") or found.labels
        fields = _fields(description or "")
        online, join, register = found.online
        place = place_from_one_line(found.address)
        return ParsedListing(
            source=self.name,
            source_key=key,
            kind="group",
            organization=self.organization,
            name=found.name,
            source_url=page.url,
            description=description,
            audiences=audiences_in(f"{fields.get('audiences', '')} {fields.get('program', '')}"),
            topics=self.topics,
            timezone=_zone(found.calendar.get("timezone")),
            conference_url=join,
            registration_url=register,
            schedule=rules,
            schedule_text=text,
            # The page states it: an "Online Meeting" card, with or without a place to go.
            attendance=("hybrid" if place else "online") if online else None,
            location_name=found.location_name,
            **place,
        )

    def _own(self, loc: str, sitemap_link: bool = False) -> str | None:
        """A URL of this site on this source's base (so a mirror works); None for other pages."""
        try:
            parts, host = urlsplit(loc), host_of(loc)
        except ValueError:  # not a URL ("https://[host/...": an unclosed IPv6 bracket)
            return None
        if host not in self.hosts | {host_of(self.base)}:
            return None
        if sitemap_link:
            return self.base + parts.path if parts.path.endswith(".xml") else None
        return self.base + parts.path if MEETING_PATH.fullmatch(parts.path) else None


class Title(NamedTuple):
    """What a page or AddEvent title says: the meeting number, its place and its name."""

    number: str | None
    place: str | None
    name: str | None


@dataclass(frozen=True)
class MeetingPage:
    """What a meeting page states, before it becomes a listing."""

    name: str | None
    has_block: bool
    calendar: dict[str, str]
    prose: str | None
    labels: str | None
    address: str | None
    location_name: str | None
    online: tuple[bool, str | None, str | None]

    @property
    def is_meeting(self) -> bool:
        """A name, and an AddEvent block, a schedule, a place or an online card to go with it."""
        return bool(self.name) and (self.has_block or bool(self.prose or self.address or self.online[0]))


def _read_page(root: HtmlElement, page_url: str, own_hosts: frozenset[str]) -> MeetingPage:
    """The name, calendar, prose, labels, place and online card of a meeting page."""
    block = next((div for div in root.iter("div") if has_class(div, "addeventatc")), None)
    calendar = _spans(block) if block is not None else {}
    heading, title = next(root.iter("h1"), None), next(root.iter("title"), None)
    titles = [calendar.get("title"), _text(heading), SITE_SUFFIX.sub("", _text(title))]
    city = next((t.place.split(",")[0] for t in map(title_parts, filter(None, titles))
                 if t.number and t.place and "," in t.place), None)
    return MeetingPage(
        name=_name(titles), has_block=block is not None, calendar=calendar,
        prose=_when_prose(root), labels=_labels(root),
        address=_tidy_address(_maps_address(root), city), location_name=_location_name(root),
        online=_online_card(root, page_url, own_hosts),
    )


def title_parts(text: str) -> Title:
    """(number, place, name) of "#1038 - City, State - Name" or "... Meeting: #1067 - Global - Name".

    "SMART Recovery USA - Meeting #9234 Soquel, California" has a number and a place, no name;
    a title without "#<number>" at its start or after "Meeting" is all name.
    """
    text = clean(text)
    match = NUMBERED.match(text)
    if match is None:
        return Title(None, None, text or None)
    pieces = DASH.split(match["rest"].strip().lstrip("-–—:").strip(), maxsplit=1)
    return Title(match["number"], pieces[0] or None, pieces[1] if len(pieces) > 1 else None)


def _name(titles: list[str | None]) -> str | None:
    """The first title that names the meeting; else the first title there is, as written."""
    present = [clean(t) for t in titles if clean(t)]
    return next((n for t in present if (n := title_parts(t).name)), present[0] if present else None)


def _text(element: HtmlElement | None) -> str:
    """The cleaned text of an element, or "" for none."""
    return clean(get_text(element, " ")) if element is not None else ""


def _is_sitemap(page: Page) -> bool:
    """True for a sitemap (rather than a meeting page)."""
    return urlsplit(page.url).path.endswith(".xml")


def _spans(block: HtmlElement) -> dict[str, str]:
    """The AddEvent spans by class; the description keeps one line per <br>."""
    spans = {}
    for span in block.iterdescendants("span"):
        if not (names := classes(span)):
            continue  # class="" names nothing (it was an IndexError that lost the meeting)
        key = names[0]
        spans[key] = "\n".join(clean(line) for line in get_text(span, "\n").splitlines() if clean(line))
    return spans


def _fields(description: str) -> dict[str, str]:
    """The "Key: value" lines of the AddEvent description (Program, Audiences, Languages), lower-case keys."""
    lines = (FIELD_LINE.match(line) for line in description.splitlines())
    return {m["key"].strip().lower(): m["value"].strip() for m in lines if m}


def _zone(value: str | None) -> str | None:
    """An IANA zone name zoneinfo knows, else None."""
    try:
        return value if value and ZoneInfo(value) else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _clock(value: str | None) -> datetime | None:
    """An AddEvent date-time ("01/07/2025 06:30 PM", or ISO) as a naive local datetime."""
    try:
        return dateparser.parse(value, dayfirst=False).replace(tzinfo=None) if value else None
    except (ValueError, OverflowError):
        return None


def _schedule(
    calendar: dict[str, str], fetched_at: datetime
) -> tuple[tuple[ScheduleRule, ...], str | None, bool]:
    """(rules, schedule_text, ended) from the AddEvent start, end, timezone and RRULE."""
    text = calendar.get("recurring", "")
    start, end = _clock(calendar.get("start")), _clock(calendar.get("end"))
    if not text or start is None:
        return (), text or None, False
    zone = _zone(calendar.get("timezone"))
    rule = _read_rrule(text, start, zone)
    if rule is None:
        return (), text, False
    now = fetched_at.astimezone(UTC)
    if rule.after(now if rule._dtstart.tzinfo else now.replace(tzinfo=None), inc=True) is None:
        return (), text, True  # UNTIL or COUNT already passed: the series has ended
    found = _rule(rule, start.time(), end.time() if end else None, zone)
    return ((found,), None, False) if found else ((), text, False)


def _read_rrule(text: str, start: datetime, zone: str | None) -> rrule | None:
    """The RRULE read by dateutil from the local start (UTC UNTIL wants an aware start); None if invalid."""
    aware = start.replace(tzinfo=ZoneInfo(zone)) if zone else start
    for dtstart in (aware, start):
        try:
            found = rrulestr(text, dtstart=dtstart)
        except (ValueError, TypeError):
            continue
        return found if isinstance(found, rrule) else None
    return None


def _rule(rule: rrule, opens: time, closes: time | None, zone: str | None) -> ScheduleRule | None:
    """The schedule rule of a dateutil rrule, or None when it is not weekly or monthly by weekday."""
    # dateutil keeps the parsed parts in private attributes; these names have been stable since 2.x.
    days = [WEEKDAYS[d] for d in rule._byweekday or ()]
    ordinal = [f"{n}{WEEKDAYS[d]}" for d, n in rule._bynweekday or ()]
    setpos, interval = rule._bysetpos or (), rule._interval
    if rule._bymonth or rule._bymonthday or rule._bynmonthday or rule._byyearday or rule._byweekno:
        return None
    if rule._freq == DAILY and interval == 1 and not setpos:
        freq, byday = "WEEKLY", ",".join(days or WEEKDAYS)
    elif rule._freq == WEEKLY and not setpos and days:
        freq, byday = "WEEKLY", ",".join(days)
    elif rule._freq == MONTHLY and ordinal and not setpos:
        freq, byday = "MONTHLY", ",".join(ordinal)
    elif rule._freq == MONTHLY and len(days) == 1 and setpos:
        freq, byday = "MONTHLY", ",".join(f"{n}{days[0]}" for n in setpos)
    else:
        return None
    if not 1 <= interval <= 12:
        return None
    return ScheduleRule(freq=freq, interval=interval, byday=byday, opens_at=f"{opens:%H:%M}",
                        closes_at=f"{closes:%H:%M}" if closes else None, timezone=zone)


def _links(root: HtmlElement) -> Iterator[HtmlElement]:
    """The <a> elements with an href under an element, in document order."""
    return (a for a in root.iterdescendants("a") if a.get("href") is not None)


def _maps_link(root: HtmlElement) -> HtmlElement | None:
    """The first Google Maps directions link (https://www.google.com/maps/dir//<address>)."""
    return next((a for a in _links(root) if MAPS_DIR in a.get("href")), None)


def _maps_address(root: HtmlElement) -> str | None:
    """The address in the Google Maps directions link."""
    link = _maps_link(root)
    if link is None:
        return None
    return clean(unquote_plus(link.get("href").split(MAPS_DIR, 1)[1].split("?")[0].split("/")[0])) or None


def _card(element: HtmlElement) -> HtmlElement | None:
    """The nearest ancestor whose class names a card ("card", "meeting-card")."""
    return ancestor(element, lambda a: class_search(a, CARD))


def _location_name(root: HtmlElement) -> str | None:
    """The bold place name in the card that holds the directions link."""
    link = _maps_link(root)
    card = _card(link) if link is not None else None
    name = next(card.iterdescendants("strong", "b"), None) if card is not None else None
    return clean(get_text(name, " ")) or None if name is not None else None


def _online_card(root: HtmlElement, page_url: str,
                 own_hosts: frozenset[str]) -> tuple[bool, str | None, str | None]:
    """(has an "Online Meeting" card, its join URL, its registration URL)."""
    heading = _heading(root, ONLINE_HEADING)
    if heading is None:
        return False, None, None
    card = _card(heading)
    card = heading.getparent() if card is None else card
    for link in _links(card) if card is not None else ():
        url, words = link_url(page_url, link.get("href")), clean(get_text(link, " "))
        # The site's own pages (help, "contact the convenor") and contact links are not the meeting.
        if url is None or host_of(url) in own_hosts or CONTACT.search(words):
            continue
        if REGISTER.search(words) or REGISTER.search(url):
            return True, None, url
        if JOIN.search(words) or CONFERENCE_HOST.search(host_of(url)):
            return True, url, None
    return True, None, None


def _heading(root: HtmlElement, pattern: re.Pattern[str]) -> HtmlElement | None:
    """The first heading (or bold line) whose whole text matches the pattern."""
    return next((tag for tag in root.iter(*HEADINGS) if pattern.match(get_text(tag, " ")) is not None), None)


def _when_prose(root: HtmlElement) -> str | None:
    """The schedule as the page writes it ("First and third Monday of the month, 6:00 PM Eastern")."""
    found = [tag for tag in root.iter() if isinstance(tag.tag, str) and has_class(tag, "meeting-when__text")]
    if not found:
        heading = _heading(root, WHEN_HEADING)
        card = _card(heading) if heading is not None else None
        card = heading.getparent() if heading is not None and card is None else card
        found = [p for p in card.iterdescendants("p")
                 if ancestor(p, lambda a: has_class(a, "addeventatc")) is None] if card is not None else []
    return schedule_text("\n".join(_text(tag) for tag in found))


def _labels(root: HtmlElement) -> str | None:
    """The page's "Program:", "Audiences:", "Languages spoken:" lines, one a line, as published."""
    lines: dict[str, str] = {}
    for tag in root.iter("li", "p", "dd"):
        match = FIELD_LINE.match(_text(tag))
        key, value = (match["key"].strip(), match["value"].strip()) if match else ("", "")
        if key.lower() in LABELS and value:
            lines.setdefault(key.lower(), f"{key}: {value}")
    return "\n".join(lines.values()) or None


def _tidy_address(text: str | None, city: str | None) -> str | None:
    """A maps/dir address as "street, City, ST 12345[, country]", the shape the shared splitter reads."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    country = parts[-1:] if len(parts) > 1 and country_code(parts[-1]) else []
    body = parts[: len(parts) - len(country)]
    found = _state_zip(body)
    if found is None:
        return text
    count, state_zip = found
    head = body[: len(body) - count]
    return ", ".join([*head[:-1], *_split_city(head[-1], city), state_zip, *country])


def _state_zip(parts: list[str]) -> tuple[int, str] | None:
    """How many trailing parts hold the state (code or name) and ZIP, and them as "ST 12345"."""
    for count in (2, 1):
        if len(parts) <= count:  # a city must come before
            continue
        words = " ".join(parts[-count:]).split()
        zips = [word for word in words if ZIP.fullmatch(word)]
        code = state_code(" ".join(word for word in words if not ZIP.fullmatch(word)))
        if code and len(zips) <= 1:
            return count, " ".join([code, *zips])
    return None


def _split_city(part: str, city: str | None) -> list[str]:
    """"4951 Soquel Dr Soquel" -> ["4951 Soquel Dr", "Soquel"] when the page names the city; else [part]."""
    if not city or not part.lower().endswith(" " + city.lower()):
        return [part]
    street = part[: -len(city)].strip()
    return [street, part[-len(city):]] if re.search(r"\d", street) else [part]
