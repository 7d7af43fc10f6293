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
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import ClassVar
from urllib.parse import unquote_plus, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rrulestr

from schemas.address import place_from_one_line
from schemas.listing import ParsedListing
from schemas.schedule import WEEKDAYS, ScheduleRule
from scrapers.base import Source
from scrapers.page import Link, Page
from scrapers.sources.audiences import audiences_in
from scrapers.sources.sitemap import NotASitemap, read_sitemap
from scrapers.sources.text import clean, link_url
from scrapers.urls import host_of

MEETING_PATH = re.compile(r"/meetings/(?P<id>\d+)/?$")  # searched: a mirror may prefix the path
MAPS_DIR = "google.com/maps/dir//"
ONLINE_HEADING = re.compile(r"^\s*online meeting\s*$", re.I)
REGISTER = re.compile(r"regist|sign[\s_-]?up", re.I)
FIELD_LINE = re.compile(r"^(?P<key>[A-Za-z ]{2,30}):\s*(?P<value>.*)$")


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
        soup = page.soup()
        block = soup.find("div", class_="addeventatc")
        if block is None:
            raise self.changed(page, "meeting page without its AddEvent block (div.addeventatc)")
        calendar = _spans(block)
        name = calendar.get("title") or clean(soup.h1.get_text(" ") if soup.h1 else "")
        if not name:
            raise self.changed(page, "meeting page without a title")
        rules, text, ended = _schedule(calendar, page.fetched_at)
        if ended:
            return []
        return [self._listing(page, match["id"], name, soup, calendar, rules, text)]

    def _listing(self, page: Page, key: str, name: str, soup: BeautifulSoup, calendar: dict[str, str],
                 rules: tuple[ScheduleRule, ...], text: str | None) -> ParsedListing:
        """One meeting page as a group listing."""
        fields = _fields(calendar.get("description", ""))
        online, join, register = _online_card(soup, page.url)
        place = place_from_one_line(_maps_address(soup))
        return ParsedListing(
            source=self.name,
            source_key=key,
            kind="group",
            organization=self.organization,
            name=name,
            source_url=page.url,
            description=calendar.get("description") or None,
            audiences=audiences_in(f"{fields.get('audiences', '')} {fields.get('program', '')}"),
            topics=self.topics,
            timezone=_zone(calendar.get("timezone")),
            conference_url=join,
            registration_url=register,
            schedule=rules,
            schedule_text=text,
            # The page states it: an "Online Meeting" card, with or without a place to go.
            attendance=("hybrid" if place else "online") if online else None,
            location_name=_location_name(soup),
            **place,
        )

    def _own(self, loc: str, sitemap_link: bool = False) -> str | None:
        """A URL of this site on this source's base (so a mirror works); None for other pages."""
        parts = urlsplit(loc)
        if host_of(loc) not in self.hosts | {host_of(self.base)}:
            return None
        if sitemap_link:
            return self.base + parts.path if parts.path.endswith(".xml") else None
        return self.base + parts.path if MEETING_PATH.fullmatch(parts.path) else None


def _is_sitemap(page: Page) -> bool:
    """True for a sitemap (rather than a meeting page)."""
    return urlsplit(page.url).path.endswith(".xml")


def _spans(block: Tag) -> dict[str, str]:
    """The AddEvent spans by class; the description keeps one line per <br>."""
    spans = {}
    for span in block.find_all("span", class_=True):
        key = span["class"][0]
        spans[key] = "\n".join(clean(line) for line in span.get_text("\n").splitlines() if clean(line))
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


def _maps_address(soup: BeautifulSoup) -> str | None:
    """The address in the Google Maps directions link (https://www.google.com/maps/dir//<address>)."""
    for link in soup.find_all("a", href=True):
        href = str(link["href"])
        if MAPS_DIR in href:
            return clean(unquote_plus(href.split(MAPS_DIR, 1)[1].split("?")[0].split("/")[0])) or None
    return None


def _location_name(soup: BeautifulSoup) -> str | None:
    """The bold place name in the card that holds the directions link."""
    link = next((a for a in soup.find_all("a", href=True) if MAPS_DIR in str(a["href"])), None)
    card = link.find_parent(class_=re.compile(r"\bcard\b")) if link else None
    name = card.find(["strong", "b"]) if card else None
    return clean(name.get_text(" ")) or None if name else None


def _online_card(soup: BeautifulSoup, page_url: str) -> tuple[bool, str | None, str | None]:
    """(has an "Online Meeting" card, its join URL, its registration URL)."""
    heading = soup.find(lambda tag: tag.name in ("h2", "h3", "h4", "h5", "strong")
                        and ONLINE_HEADING.match(tag.get_text(" ")) is not None)
    if heading is None:
        return False, None, None
    card = heading.find_parent(class_=re.compile(r"\bcard\b")) or heading.parent
    link = card.find("a", href=True) if card else None
    url = link_url(page_url, str(link["href"])) if link else None
    if url is None:
        return True, None, None
    if REGISTER.search(link.get_text(" ")) or REGISTER.search(url):
        return True, None, url
    return True, url, None
