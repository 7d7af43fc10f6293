"""BMLT root servers (Narcotics Anonymous): the aggregator's list, then two JSON pages per server.

Decisions (tested in tests/test_bmlt.py):
- Each root server is one unit. The aggregator (or the servers file) leads to the server's
  GetFormats page; that page leads to its GetSearchResults page, carrying the server and its
  format names in the link's context, so parsing the meetings stays one pure page. A server whose
  formats or meetings page cannot be had or read is lost (URL and reason); when its formats page is
  lost its meetings page is reported lost too, so its last good meetings are kept, not missed.
- US only, by place, never by a state-like code (Western Australia is `WA`): a meeting with its own
  point is listed when the point lies within about 25 km of a US ZIP centre (a 0.25-degree grid
  cell or its neighbours; 50 states, DC and the territories, from the zipcodes package); one without
  a point when its server's centre lies within about 50 km of one and its province, if any, is a
  US state (the code only vetoes: a centre near the border, as Toronto's, is not enough). A point
  in a town facing a US one across the border (Windsor) still passes: rare, and said here.
- `published: "0"` is left out; `venue_type` (1, 2, 3) is the attendance; without it a link and no
  street is online, a street in person, both hybrid.
- `weekday_tinyint` (1 = Sunday), `start_time` and `duration_time` are one WEEKLY rule; a meeting's
  `time_zone`, when it is a zone zoneinfo knows, is the rule's zone, else the warehouse places it.
- Format keys are named from the server's own GetFormats (English where several languages are
  given) into the description; a format's name that states an audience ("Women", "Young People")
  gives it. They are not Meeting Guide codes, so `meeting_types` stays empty.
"""

import contextlib
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import us
import zipcodes

from schemas.address import state_code
from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from schemas.schedule import ScheduleRule
from schemas.urls import canonical_url
from schemas.values import Attendance
from scrapers.base import Source, Unit
from scrapers.page import Link, Page
from scrapers.sources.audiences import audiences_in
from scrapers.sources.bmlt_servers import DEFAULT_SERVERS, RootServer, load_servers
from scrapers.sources.text import clean, link_url

AGGREGATOR_PATH = "/main_server/api/v1/rootservers"
SEARCH = "GetSearchResults"
FORMATS = "GetFormats"
RFC_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # weekday_tinyint 1 is Sunday
VENUE_TYPES: dict[str, Attendance] = {"1": "in_person", "2": "online", "3": "hybrid"}
CELL = 0.25  # degrees: the grid the US test looks up ZIP centres in
MEETING_REACH, CENTRE_REACH = 1, 2  # cells around a point (about 25 km) or a centre searched for a ZIP


class Bmlt(Source):
    """Every BMLT root server the aggregator lists (and those of scrapers/bmlt_servers.toml)."""

    name = "bmlt"
    organization = "Narcotics Anonymous"
    base_url = "https://aggregator.bmltenabled.org"  # a mirror serves each server as <mirror>/<host><path>
    start_paths = (AGGREGATOR_PATH,)
    min_interval = 1.0  # per host: each root server is its own host
    rank = 1  # the service bodies' own meeting lists (their root servers; the aggregator lists only servers)
    max_pages = 500  # the list and two pages per server: about 44 servers
    independent_starts = True  # servers pinned in the servers file are units of their own
    max_lost_share = 1.0  # servers are separate operators: any number may fail, the others still count
    unit_noun = "root server"
    description = "Narcotics Anonymous meetings from BMLT root servers (US meetings only)."

    def __init__(self, base_url: str | None = None, servers_file: Path | str | None = None):
        super().__init__(base_url)
        chosen = servers_file or os.environ.get("SUPPORTDIR_BMLT_SERVERS") or DEFAULT_SERVERS
        self.servers_file = Path(chosen)
        self.use_aggregator, self.servers = load_servers(self.servers_file)
        self._pinned = {canonical_url(self.server_url(s, FORMATS)): s for s in self.servers}

    def server_url(self, server: RootServer, switcher: str) -> str:
        """One of the server's two pages, on the mirror (<base>/<host><path>) when one is set."""
        page = f"{server.url.rstrip('/')}/client_interface/json/?switcher={switcher}"
        return canonical_url(self.mirrored(page))

    def start_urls(self) -> list[str]:
        """The aggregator's list (unless the servers file turns it off), then each pinned server."""
        aggregator = [self.url(AGGREGATOR_PATH)] if self.use_aggregator else []
        return aggregator + list(self._pinned)

    def discover(self, page: Page) -> list[Link]:
        """The list leads to each server's formats page; that page to its meetings, with the names."""
        if _switcher(page.url) is None:
            return [Link(self.server_url(s, FORMATS), {"server": s.model_dump()}) for s in self._listed(page)]
        if _switcher(page.url) == FORMATS:
            try:
                formats = self._formats(page)
            except SourceChanged:
                return []  # parse() reports the page as lost; no meetings follow
            server = self._server(page)
            context = {"server": server.model_dump(), "formats": formats}
            return [Link(self.server_url(server, SEARCH), context)]
        return []

    def units(self, pages: Sequence[Page]) -> list[Unit]:
        """Each root server the crawl knew of: listed by the aggregator, linked to, or pinned."""
        servers = {server.id: server for server in self.servers}
        for page in pages:
            if page.context.get("server"):
                server = RootServer.model_validate(page.context["server"])
                servers.setdefault(server.id, server)
            elif _switcher(page.url) is None and page.body:  # the list (its body is shed once parsed)
                with contextlib.suppress(SourceChanged):  # parse() reports the list itself
                    servers.update({s.id: s for s in self._listed(page) if s.id not in servers})
        return [Unit(s.id, s.name, s.url, frozenset(self.server_url(s, page) for page in (FORMATS, SEARCH)))
                for s in servers.values()]

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """The US meetings of one server's meetings page; the list and formats pages hold none."""
        switcher = _switcher(page.url)
        if switcher is None:
            self._listed(page)
            return []
        if switcher == FORMATS:
            self._formats(page)
            return []
        server, formats = self._server(page), dict(page.context.get("formats") or {})
        return [self._listing(page, server, formats, meeting) for meeting in self._meetings(page)
                if _listable(meeting) and _in_us(meeting, server)]

    def parse_all(self, pages: list[Page], parsed: Mapping[int, list[ParsedListing]] | None = None,
                  lost: list[tuple[str, str]] | None = None) -> list[ParsedListing]:
        """As every source, and a server whose formats page is lost has its meetings page lost too."""
        listings = super().parse_all(pages, parsed, lost)
        if lost:
            fetched = {canonical_url(page.url) for page in pages}
            for url, _why in list(lost):
                if _switcher(url) == FORMATS and (meetings := _sibling(url, SEARCH)) not in fetched:
                    lost.append((meetings, f"not fetched: its server's formats page was lost ({url})"))
        return listings

    def _listed(self, page: Page) -> list[RootServer]:
        """The aggregator's root servers (each with its centre), or SourceChanged."""
        try:
            entries = page.json()
        except ValueError:
            raise self.changed(page, "the root server list is not JSON") from None
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.changed(page, "the root server list is not a JSON array of servers")
        servers = [server for entry in entries if (server := _root_server(entry))]
        if entries and not servers:
            raise self.changed(page, "no root server with an id and an http(s) url")
        return servers

    def _server(self, page: Page) -> RootServer:
        """The server a formats or meetings page belongs to (from the link, or the servers file)."""
        if page.context.get("server"):
            return RootServer.model_validate(page.context["server"])
        pinned = self._pinned.get(_sibling(page.url, FORMATS))
        if pinned is None:
            raise self.changed(page, "not a page of a listed root server")
        return pinned

    def _formats(self, page: Page) -> dict[str, str]:
        """Format key -> readable name (English first), or SourceChanged for a page that is not one."""
        entries = self._array(page, "formats")
        names: dict[str, str] = {}
        for entry in sorted(entries, key=lambda e: _text(e.get("lang")) not in ("", "en")):
            key, name = _text(entry.get("key_string")), _text(entry.get("name_string"))
            if key and name:
                names.setdefault(key, name)
        return names

    def _meetings(self, page: Page) -> list[dict[str, Any]]:
        """The meetings of a GetSearchResults page (a bare array or {"meetings": [...]})."""
        return self._array(page, "meetings")

    def _array(self, page: Page, what: str) -> list[dict[str, Any]]:
        """A page's JSON array of objects (or one wrapped as {what: [...]}), or SourceChanged."""
        try:
            data = page.json()
        except ValueError:
            raise self.changed(page, f"the {what} page is not JSON") from None
        if isinstance(data, dict) and isinstance(data.get(what), list):
            data = data[what]
        if not isinstance(data, list):
            raise self.changed(page, f"the {what} page is not a JSON array of {what}")
        return [item for item in data if isinstance(item, dict)]

    def _listing(self, page: Page, server: RootServer, formats: dict[str, str],
                 meeting: Mapping[str, Any]) -> ParsedListing:
        """One meeting as a group listing."""
        rules, unread = _schedule(meeting)
        named = [formats.get(key, key) for key in _keys(meeting)]
        return ParsedListing(
            source=self.name,
            source_key=f"{server.id}/{_text(meeting.get('id_bigint'))}",
            kind="group",
            organization=self.organization,
            name=_text(meeting.get("meeting_name")),
            source_url=page.url,
            description=_description(meeting, named),
            audiences=tuple(dict.fromkeys(tag for name in named for tag in audiences_in(name))),
            topics=("substance use",),
            **_place(meeting),
            **_point(meeting),
            timezone=_zone(meeting),
            conference_url=_link(meeting.get("virtual_meeting_link"), page.url),
            conference_phone=_text(meeting.get("phone_meeting_number")) or None,
            attendance=_attendance(meeting),
            schedule=rules,
            schedule_text=unread,
            location_name=_text(meeting.get("location_text")) or None,
        )


def _switcher(url: str) -> str | None:
    """GetFormats or GetSearchResults for a server's page, None for the aggregator's list."""
    query = urlsplit(url).query
    return next((name for name in (FORMATS, SEARCH) if f"switcher={name}" in query), None)


def _sibling(url: str, switcher: str) -> str:
    """The same server's other page."""
    other = SEARCH if switcher == FORMATS else FORMATS
    return canonical_url(url.replace(f"switcher={other}", f"switcher={switcher}"))


def _root_server(entry: Mapping[str, Any]) -> RootServer | None:
    """One aggregator entry as a server (its centre read from the serverInfo JSON string)."""
    info: Any = entry.get("serverInfo")
    try:
        info = json.loads(info) if isinstance(info, str) else info
    except ValueError:
        info = None
    if isinstance(info, list):  # GetServerInfo's answer: an array of one object
        info = info[0] if info else None
    info = info if isinstance(info, dict) else {}
    try:
        return RootServer(id=_text(entry.get("id")), name=_text(entry.get("name")) or "?",
                          url=_text(entry.get("url")), latitude=_number(info.get("centerLatitude"), 90),
                          longitude=_number(info.get("centerLongitude"), 180))
    except ValueError:
        return None


def _text(value: Any) -> str:
    """A JSON scalar as whitespace-collapsed text ('' for null, lists and objects)."""
    if value is None or isinstance(value, (list, dict, bool)):
        return ""
    return clean(str(value))


def _number(value: Any, limit: float) -> float | None:
    """A coordinate (number or numeric string) within +-limit; None for "", "0", junk."""
    try:
        number = float(_text(value))
    except ValueError:
        return None
    return number if math.isfinite(number) and number and abs(number) <= limit else None


def _listable(meeting: Mapping[str, Any]) -> bool:
    """A published meeting with an id and a name."""
    if _text(meeting.get("published")) == "0":
        return False
    return bool(_text(meeting.get("id_bigint")) and _text(meeting.get("meeting_name")))


US_STATES = frozenset(s.abbr for s in us.states.STATES_AND_TERRITORIES) | {"DC"}


@cache
def _us_cells() -> frozenset[tuple[int, int]]:
    """The grid cells holding a US ZIP centre (states, DC, territories; not military mail)."""
    return frozenset((math.floor(float(z["lat"]) / CELL), math.floor(float(z["long"]) / CELL))
                     for z in zipcodes.list_all()
                     if z.get("lat") and z.get("long") and z["state"] in US_STATES)


def in_us(latitude: float, longitude: float, reach: int = MEETING_REACH) -> bool:
    """True when a US ZIP centre lies in the point's grid cell or within `reach` cells of it."""
    row, column = math.floor(latitude / CELL), math.floor(longitude / CELL)
    cells = _us_cells()
    return any((row + dr, column + dc) in cells
               for dr in range(-reach, reach + 1) for dc in range(-reach, reach + 1))


def _in_us(meeting: Mapping[str, Any], server: RootServer) -> bool:
    """The meeting's own point decides; without one, its server's centre."""
    point = _point(meeting)
    if point:
        return in_us(point["latitude"], point["longitude"])
    if server.latitude is None or server.longitude is None:
        return False  # nothing says where it is: not listed as a US meeting
    province = _text(meeting.get("location_province"))
    if province and state_code(province) is None:
        return False  # a centre near the border (Toronto, Vancouver) and a province that is no state
    return in_us(server.latitude, server.longitude, CENTRE_REACH)


def _point(meeting: Mapping[str, Any]) -> dict[str, float]:
    """The meeting's point; nothing for a missing, "0" or unreadable coordinate."""
    latitude, longitude = _number(meeting.get("latitude"), 90), _number(meeting.get("longitude"), 180)
    return {"latitude": latitude, "longitude": longitude} if latitude and longitude else {}


def _keys(meeting: Mapping[str, Any]) -> list[str]:
    """The meeting's format keys, in order, without repeats."""
    parts = _text(meeting.get("formats")).split(",")
    return list(dict.fromkeys(key for part in parts if (key := part.strip())))


def _clock(value: Any) -> tuple[int, int] | None:
    """(hours, minutes) of an HH:MM[:SS] value, None if it is not one."""
    parts = _text(value).split(":")
    if len(parts) not in (2, 3) or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    return (hours, minutes) if hours < 24 and minutes < 60 else None


def _schedule(meeting: Mapping[str, Any]) -> tuple[tuple[ScheduleRule, ...], str | None]:
    """(the weekly rule, None), or ((), the published values) when day or time cannot be read."""
    day, start = _text(meeting.get("weekday_tinyint")), _clock(meeting.get("start_time"))
    if not (day.isascii() and day.isdigit() and 1 <= int(day) <= 7) or start is None:
        published = " ".join(p for p in (day, _text(meeting.get("start_time"))) if p)
        return (), (f"weekday {published}" if published else None)
    opens = start[0] * 60 + start[1]
    length = _clock(meeting.get("duration_time"))
    minutes = length[0] * 60 + length[1] if length else 0
    rule = ScheduleRule(freq="WEEKLY", byday=RFC_DAYS[int(day) - 1], opens_at=_hhmm(opens),
                        closes_at=_hhmm(opens + minutes) if minutes else None, timezone=_zone(meeting))
    return (rule,), None


def _hhmm(minutes: int) -> str:
    """Minutes after midnight as HH:MM (past midnight wraps: a meeting ending at 00:30)."""
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _zone(meeting: Mapping[str, Any]) -> str | None:
    """The meeting's `time_zone` when zoneinfo knows it, else None (the warehouse places it)."""
    text = _text(meeting.get("time_zone"))
    if not text:
        return None
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return text


def _attendance(meeting: Mapping[str, Any]) -> Attendance:
    """venue_type, else read from what the meeting publishes: a link, a street, or both."""
    stated = VENUE_TYPES.get(_text(meeting.get("venue_type")))
    if stated:
        return stated
    online = bool(_text(meeting.get("virtual_meeting_link")))
    street = bool(_text(meeting.get("location_street")))
    if online or street:
        return "hybrid" if online and street else "online" if online else "in_person"
    return "phone" if _text(meeting.get("phone_meeting_number")) else "unknown"


def _place(meeting: Mapping[str, Any]) -> dict[str, str]:
    """Street, city, state (a code, or a name made a code), ZIP, and the address they make."""
    province = _text(meeting.get("location_province"))
    parts = {"street": _text(meeting.get("location_street")),
             "city": _text(meeting.get("location_municipality")),
             "state": state_code(province) or province,
             "postal_code": _text(meeting.get("location_postal_code_1"))}
    city_line = ", ".join(p for p in (parts["city"], parts["state"]) if p)
    lines = [line for line in (parts["street"], f"{city_line} {parts['postal_code']}".strip()) if line]
    place = {key: value for key, value in parts.items() if value}
    return {"address": "\n".join(lines), "country": "US", **place} if lines else {"country": "US"}


def _link(value: Any, page_url: str) -> str | None:
    """An absolute http(s) link as given, else None."""
    text = _text(value)
    return link_url(page_url, text) if text.lower().startswith(("http://", "https://")) else None


def _description(meeting: Mapping[str, Any], formats: list[str]) -> str | None:
    """The comments as published, then the formats by name and the location notes."""
    lines = [_text(meeting.get("comments"))]
    labelled = (("Formats", ", ".join(formats)), ("Location notes", _text(meeting.get("location_info"))))
    lines += [f"{label}: {value}" for label, value in labelled if value]
    return "\n".join(line for line in lines if line) or None
