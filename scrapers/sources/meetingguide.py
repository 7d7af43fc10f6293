"""Meeting Guide JSON feeds (code4recovery spec): one source, one start URL per line of the feeds file.

Decisions (tested in tests/test_meetingguide.py):
- A feed answering 401 (or 403) with a JSON `{"error": ...}` withholds its meetings on purpose:
  `restricted()` reports it and the crawl skips it; the other feeds go on.
- `attendance_option` (12 Step Meeting List) is the only attendance we record; `inactive`
  means the meeting does not meet now, so it is skipped, not listed.
- `approximate: "yes"` marks a point that only stands for an area (often an online meeting's
  city): it is not published as a point; the warehouse places the listing by its ZIP or city.
- `day` (0-6, 0 = Sunday, or a list) with `time`/`end_time` is one WEEKLY rule; a missing
  `end_time` stays empty. A day or time we cannot read gives no rule: the values are kept as
  `schedule_text` for the phrase parser instead.
- Off-spec producers are read as they mean: `day` as a digit string or a weekday name ("Friday",
  "fri", "Thurs"), `time` as `HH:MM:SS` or `H:MM` (always 24-hour, so a rule, never prose),
  coordinates as numeric strings. An empty string, like null, is a missing value, not a value.
- A published value that cannot be read (a day "Someday", a time "25:99", a latitude "north") is
  counted per feed and field by `unreadable_counts(page)`; its meeting is listed all the same.
- A cache-file feed (/wp-content/tsml-cache-<hash>.json) whose hash rotated answers 404: its
  `replacement` is the site's /meetings/ page, whose `discover` names the current cache file (the
  12 Step Meeting List page references it in an attribute or a script), else the plugin's
  admin-ajax feed; that file is parsed as the feed (same name, same keys) and `notes` says which.
- A feed's `region` (its home state) is shown by `supportdir sources`, never used as a meeting's
  state: intergroups list meetings across state lines and online meetings anywhere.
- `group`, `region`, `sub_region`, `location_notes` and `updated` are kept as fields of their own
  (meetings.json carries them as the same fields); `updated` is read as `YYYY-MM-DD HH:MM:SS` (a
  date alone, or ISO with "T"), else counted as unreadable and left out.
- `slug` is the key, prefixed by the feed name; a meeting without one gets a hash of its name,
  day, time and address; a slug repeated within a feed gets -2, -3 (in feed order).
"""

import hashlib
import html
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from schemas.address import place_from_one_line
from schemas.listing import ParsedListing
from schemas.schedule import ScheduleRule
from schemas.urls import canonical_url
from schemas.values import Attendance
from scrapers.base import Source, Unit
from scrapers.page import Link, Page
from scrapers.sources.audiences import ordered
from scrapers.sources.feeds import DEFAULT_FEEDS, Feed, load_feeds
from scrapers.sources.meeting_types import audiences_of, type_names
from scrapers.sources.text import clean, link_url

RFC_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # Meeting Guide day 0 is Sunday
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
ATTENDANCE: dict[str, Attendance] = {"in_person": "in_person", "online": "online", "hybrid": "hybrid"}
TRUE_WORDS = frozenset({"yes", "true", "1", "y"})
RESTRICTED_STATUSES = frozenset({401, 403})
_ABSOLUTE = re.compile(r"https?://", re.I)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)  # 47.6, -122.3, +.5
# The cache file as a meetings page names it: in a data- attribute, a link, or a script's JSON
# ("https:\/\/site.org\/wp-content\/tsml-cache-1a2b.json"). Only its hash is taken: the file is
# fetched from the feed's own host, whatever host the page writes.
_CACHE_REF = re.compile(r"\\?/wp-content\\?/tsml-cache-([0-9a-f]{1,64})\.json", re.ASCII | re.I)
ADMIN_AJAX = "/wp-admin/admin-ajax.php?action=meetings"
MEETINGS_PAGE = "meetings page"  # the context role of a site's /meetings/ page, fetched to find a feed again
_TIME = re.compile(r"(\d{1,2}):([0-5]\d)(?::[0-5]\d)?", re.ASCII)  # 19:00, 7:00, 19:00:00


def _day_words() -> dict[str, int]:
    """Weekday names as producers write them: "friday", "fridays", "fri", "fr", "thurs", "weds"."""
    words = {"weds": 3}
    for number, name in enumerate(DAY_NAMES):
        name = name.lower()
        words |= {name[:end]: number for end in range(2, len(name) + 1)} | {f"{name}s": number}
    return words


DAY_WORDS = _day_words()


class MeetingGuide(Source):
    """Every feed of the feeds file (scrapers/feeds.toml, or SUPPORTDIR_MEETINGGUIDE_FEEDS)."""

    name = "meetingguide"
    organization = "Meeting Guide feeds"
    base_url = ""  # each feed has its own site; a mirror serves every feed as <mirror>/<host><path>
    min_interval = 1.0
    rank = 2  # feeds gathered from many intergroups (one meeting may be in a neighbour's feed too)
    max_pages = 1_000  # one page per feed: about 45 feeds
    independent_starts = True  # each feed is its own unit: one that fails keeps its last good meetings
    max_lost_share = 1.0  # feeds are separate producers: any number may fail, the others still count
    unit_noun = "feed"
    description = "Meetings from Meeting Guide JSON feeds (12 Step Meeting List sites and others)."

    def __init__(self, base_url: str | None = None, feeds_file: Path | str | None = None):
        super().__init__(base_url)
        chosen = feeds_file or os.environ.get("SUPPORTDIR_MEETINGGUIDE_FEEDS") or DEFAULT_FEEDS
        self.feeds_file = Path(chosen)
        self.feeds = load_feeds(self.feeds_file)
        self._by_url = {canonical_url(self.feed_url(feed)): feed for feed in self.feeds}
        self._by_name = {feed.name: feed for feed in self.feeds}

    def feed_url(self, feed: Feed, path: str | None = None) -> str:
        """A feed's URL (or another `path` on its site), on the mirror (<base>/<host><path>?<query>)
        when one is set."""
        parts = urlsplit(feed.url)
        return self.mirrored(feed.url if path is None else f"{parts.scheme}://{parts.netloc}{path}")

    def start_labels(self) -> dict[str, str]:
        """Each feed's name, publisher and home state (region), by its URL."""
        return {self.feed_url(feed): ", ".join(p for p in (feed.name, feed.publisher, feed.region) if p)
                for feed in self.feeds}

    def units(self, pages: Sequence[Page]) -> list[Unit]:
        """Every feed of the feeds file, under its name (the prefix of its meetings' keys)."""
        return [Unit(feed.name, feed.name, url, frozenset({canonical_url(url)}))
                for feed in self.feeds if (url := self.feed_url(feed))]

    def replacement(self, page: Page) -> list[Link]:
        """A cache-file feed gone (its hash rotated): the site's meetings page, to find the current file."""
        feed = self._by_url.get(canonical_url(page.url))
        if feed is None or not feed.cache_file:
            return []
        return [Link(self.feed_url(feed, "/meetings/"), {"feed": feed.name, "role": MEETINGS_PAGE})]

    def discover(self, page: Page) -> list[Link]:
        """From a meetings page: the current cache file it names, else the plugin's admin-ajax feed."""
        feed = self._by_name.get(page.context.get("feed", ""))
        if page.context.get("role") != MEETINGS_PAGE or feed is None:
            return []
        context = {"feed": feed.name, "replaces": page.context.get("replaces")}
        return [Link(self._current_feed(feed, page), {k: v for k, v in context.items() if v})]

    def _current_feed(self, feed: Feed, page: Page) -> str:
        """The cache file a meetings page names (not the one that is gone), else admin-ajax on the site."""
        gone = canonical_url(page.context.get("replaces") or self.feed_url(feed))
        for digest in dict.fromkeys(m.lower() for m in _CACHE_REF.findall(page.text)):
            url = self.feed_url(feed, f"/wp-content/tsml-cache-{digest}.json")
            if canonical_url(url) != gone:
                return url
        return self.feed_url(feed, ADMIN_AJAX)

    def start_urls(self) -> list[str]:
        """Every feed URL, in the order of the feeds file."""
        return [self.feed_url(feed) for feed in self.feeds]

    def request_headers(self) -> dict[str, dict[str, str]]:
        """The extra headers each feed asks for."""
        return {self.feed_url(feed): dict(feed.headers) for feed in self.feeds if feed.headers}

    def notes(self, page: Page) -> list[str]:
        """Which file a meetings page led to; one line for a feed that publishes values this
        parser cannot read (per field)."""
        if page.context.get("role") == MEETINGS_PAGE:
            return self._moved_note(page)
        counts = unreadable_counts(page) if 200 <= page.status < 300 else {}
        if not counts:
            return []
        feed = self._feed_of(page)
        fields = ", ".join(f"{field} {count}" for field, count in counts.items())
        return [f"{feed.name if feed else page.url}: values not read as fields (kept as text): {fields}"]

    def _moved_note(self, page: Page) -> list[str]:
        """What the meetings page of a cache-file feed that is gone led to."""
        feed = self._by_name.get(page.context.get("feed", ""))
        if feed is None:
            return []
        found = self._current_feed(feed, page)
        if found.endswith(ADMIN_AJAX):
            return [f"{feed.name}: cache file gone and none named on {page.url}: read {found} instead"]
        return [f"{feed.name}: cache file gone (its hash rotated): read the current one, {found}"]

    def _feed_of(self, page: Page) -> Feed | None:
        """The feed a page is: by its URL, or the feed it stands in for (found again after a 404)."""
        return self._by_url.get(canonical_url(page.url)) or self._by_name.get(page.context.get("feed", ""))

    def restricted(self, page: Page) -> str | None:
        """A 401/403 JSON `{"error": ...}` answer: the site shares its feed only with a key."""
        if page.status not in RESTRICTED_STATUSES:
            return None
        try:
            data = page.json()
        except ValueError:
            return None
        if isinstance(data, dict) and (data.get("error") or "restricted" in str(data.get("code", ""))):
            message = clean(str(data.get("error") or data.get("message") or data.get("code")))[:200]
            return f"HTTP {page.status}: sharing restricted ({message})"
        return None

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """The meetings of one feed (skipping inactive and nameless ones); none on a meetings page."""
        if page.context.get("role") == MEETINGS_PAGE:
            return []  # only read to find the feed again (discover)
        feed = self._feed_of(page)
        if feed is None:
            raise self.changed(page, "not a URL of the feeds file")
        try:
            meetings = page.json()
        except ValueError:
            raise self.changed(page, f"feed {feed.name} is not JSON") from None
        if not isinstance(meetings, list):
            raise self.changed(page, f"feed {feed.name} is not a JSON array of meetings")
        used: set[str] = set()
        listings = []
        for meeting in meetings:
            if _listable(meeting):
                listings.append(_listing(self.name, feed, meeting, page, _key(feed, meeting, used)))
        return listings


def unreadable_counts(page: Page) -> dict[str, int]:
    """Per field, how many listed meetings of one feed publish a value this parser cannot read.

    For the run report ("day 1, time 1"): the meetings are listed all the same, an unreadable day
    or time kept as `schedule_text`. Missing values (null, "") are not counted; 0,0 is not either.
    """
    try:
        meetings = page.json()
    except ValueError:
        return {}  # parse() reports the feed itself
    if not isinstance(meetings, list):
        return {}
    counts = Counter(field for meeting in meetings if _listable(meeting) for field in _unreadable(meeting))
    return {field: counts[field] for field in _READERS if counts[field]}


def _unreadable(meeting: Mapping[str, Any]) -> list[str]:
    """The fields of a meeting whose published value cannot be read."""
    return [field for field, read in _READERS.items()
            if not _missing(meeting.get(field)) and read(meeting.get(field)) is None]


def _listable(meeting: Any) -> bool:
    """A meeting object with a name that the source does not mark inactive."""
    if not isinstance(meeting, dict) or not _field(meeting, "name"):
        return False
    return _field(meeting, "attendance_option").lower() != "inactive"


def _listing(source: str, feed: Feed, meeting: Mapping[str, Any], page: Page, key: str) -> ParsedListing:
    """One meeting of a feed as a group listing."""
    codes = _types(meeting.get("types"))
    rules, unread = _schedule(meeting)
    return ParsedListing(
        source=source,
        source_key=key,
        kind="group",
        organization=feed.organization,
        name=_field(meeting, "name"),
        source_url=page.url,
        description=_description(meeting, codes),
        audiences=ordered(audiences_of(codes)),
        topics=feed.topics,
        **_place(meeting),
        **_point(meeting),
        timezone=_timezone(meeting.get("timezone")),
        website=_link(meeting.get("url"), page.url) or _link(meeting.get("website"), page.url),
        conference_url=_link(meeting.get("conference_url"), page.url),
        conference_phone=_field(meeting, "conference_phone") or None,
        attendance=ATTENDANCE.get(_field(meeting, "attendance_option").lower()),
        schedule=rules,
        schedule_text=unread,
        meeting_types=codes,
        location_name=_location_name(meeting),
        meeting_group=_field(meeting, "group") or None,
        region=_field(meeting, "region") or None,
        sub_region=_field(meeting, "sub_region") or None,
        location_notes=_field(meeting, "location_notes") or None,
        source_updated=_updated(meeting.get("updated")),
    )


def _key(feed: Feed, meeting: Mapping[str, Any], used: set[str]) -> str:
    """feed/slug, unique within the feed; a hash of what identifies the meeting when it has no slug."""
    slug = _field(meeting, "slug")
    if not slug:
        basis = "|".join(_field(meeting, k) for k in ("name", "day", "time", "formatted_address"))
        slug = "h-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:12]
    key, number = f"{feed.name}/{slug}", 2
    while key in used:
        key, number = f"{feed.name}/{slug}-{number}", number + 1
    used.add(key)
    return key


def _text(value: Any) -> str:
    """A JSON scalar as text, HTML entities decoded ('' for null, lists and objects)."""
    if value is None or isinstance(value, (list, dict, bool)):
        return ""
    return html.unescape(str(value))  # WordPress feeds escape names ("Women&#8217;s")


def _field(meeting: Mapping[str, Any], key: str) -> str:
    """A meeting's text field, decoded and whitespace-collapsed ('' when absent)."""
    return clean(_text(meeting.get(key)))


def _types(value: Any) -> tuple[str, ...]:
    """Type codes as given (a list, or a comma-separated string), without repeats."""
    items = value if isinstance(value, list) else _text(value).split(",")
    return tuple(dict.fromkeys(code for item in items if (code := clean(_text(item)))))


def _missing(value: Any) -> bool:
    """Null, a blank string, or a list of only those: nothing published ("" is not a value)."""
    if isinstance(value, list):
        return all(_missing(item) for item in value)
    return value is None or (isinstance(value, str) and not value.strip())


def _day(item: Any) -> int | None:
    """One day 0-6 (0 = Sunday): a number, a digit string, or a weekday name; None if unreadable."""
    if isinstance(item, bool):
        return None
    text = _text(item).strip().lower().rstrip(".")
    if text.isascii() and text.isdigit():
        return int(text) if int(text) <= 6 else None
    return DAY_WORDS.get(text)


def _days(value: Any) -> list[int] | None:
    """Day numbers of a `day` value (one day or a list; blank items skipped); None if unreadable."""
    items = [item for item in (value if isinstance(value, list) else [value]) if not _missing(item)]
    days = [_day(item) for item in items]
    if not days or None in days:
        return None
    return sorted(set(days))


def _clock(value: Any) -> str | None:
    """HH:MM of a `time` value ("19:00", "7:00", "19:00:00": 24-hour); None if it is not one."""
    match = _TIME.fullmatch(_text(value).strip())
    if not match or int(match[1]) > 23:
        return None
    return f"{int(match[1]):02d}:{match[2]}"


def _schedule(meeting: Mapping[str, Any]) -> tuple[tuple[ScheduleRule, ...], str | None]:
    """(the weekly rule, None), or ((), the published values) when day or time cannot be read."""
    day, time = meeting.get("day"), meeting.get("time")
    if _missing(day):
        return (), None  # no day: by appointment, or not stated; nothing to guess
    days, opens = _days(day), _clock(time)
    if days is None or (not _missing(time) and opens is None):
        published = " ".join(p for p in (_day_text(day), _text(time).strip()) if p)
        return (), published or None
    closes = _clock(meeting.get("end_time")) if opens else None
    rule = ScheduleRule(freq="WEEKLY", byday=",".join(RFC_DAYS[d] for d in days), opens_at=opens,
                        closes_at=closes, timezone=_timezone(meeting.get("timezone")))
    return (rule,), None


def _day_text(day: Any) -> str:
    """A `day` value as published, with the days we can read named ("1", "fri" -> "Monday", "Friday")."""
    items = [item for item in (day if isinstance(day, list) else [day]) if not _missing(item)]
    names = [DAY_NAMES[n] if (n := _day(item)) is not None else _text(item).strip() for item in items]
    return ", ".join(name for name in names if name)


def _timezone(value: Any) -> str | None:
    """An IANA zone name zoneinfo knows, else None (the warehouse then uses the place's zone)."""
    text = _text(value).strip()
    if not text:
        return None
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return text


def _place(meeting: Mapping[str, Any]) -> dict[str, str]:
    """Address fields as given, else the formatted address split into street, city, state, ZIP."""
    formatted = _field(meeting, "formatted_address")
    parts = {field: _field(meeting, key) for field, key in
             (("street", "address"), ("city", "city"), ("state", "state"), ("postal_code", "postal_code"),
              ("country", "country"))}
    if parts["street"] or parts["city"]:
        lines = [parts["street"], ", ".join(p for p in (parts["city"], parts["state"]) if p)]
        text = "\n".join(line for line in lines if line)
        composed = f"{text} {parts['postal_code']}".strip()
        return {"address": formatted or composed, **{k: v for k, v in parts.items() if v}}
    return place_from_one_line(formatted)


def _point(meeting: Mapping[str, Any]) -> dict[str, float]:
    """The published point, unless the source marks it approximate, or it is unreadable or 0,0."""
    if _field(meeting, "approximate").lower() in TRUE_WORDS or meeting.get("approximate") is True:
        return {}
    latitude, longitude = _latitude(meeting.get("latitude")), _longitude(meeting.get("longitude"))
    if latitude is None or longitude is None or (latitude, longitude) == (0.0, 0.0):
        return {}
    return {"latitude": latitude, "longitude": longitude}


def _coordinate(value: Any, limit: float) -> float | None:
    """A JSON number or a numeric string (" -122.3 ") within +-limit; None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        return None  # not "north", "nan", "1_0" (which float() would take)
    number = float(value)
    return number if -limit <= number <= limit else None


def _latitude(value: Any) -> float | None:
    """A latitude, -90 to 90."""
    return _coordinate(value, 90)


def _longitude(value: Any) -> float | None:
    """A longitude, -180 to 180."""
    return _coordinate(value, 180)


def _updated(value: Any) -> str | None:
    """`updated` as the spec writes it (YYYY-MM-DD HH:MM:SS, UTC; a date alone or ISO "T" read too)."""
    text = _text(value).strip().replace("T", " ").removesuffix("Z")
    for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, form).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
    return None


_READERS: dict[str, Callable[[Any], object]] = {
    "day": _days, "time": _clock, "end_time": _clock,
    "latitude": _latitude, "longitude": _longitude, "timezone": _timezone, "updated": _updated,
}  # what each field is read by: None from a reader means the value could not be read


def _location_name(meeting: Mapping[str, Any]) -> str | None:
    """The meeting place's name (a church, a club), unless it only repeats the address."""
    location = _field(meeting, "location")
    formatted = _field(meeting, "formatted_address")
    return location if location and not formatted.startswith(location) else None


def _link(value: Any, page_url: str) -> str | None:
    """An absolute http(s) link as given, else None.

    The spec's URLs are absolute; a feed value that is not (a mangled "Ũttps:/…") is dropped,
    not resolved against the feed's own URL into a link nobody published.
    """
    text = _text(value).strip()
    return link_url(page_url, text) if _ABSOLUTE.match(text) else None


def _description(meeting: Mapping[str, Any], codes: tuple[str, ...]) -> str | None:
    """Notes as published, then labelled lines: types by name, and the join and dial-in notes.

    The group, region, location notes and update time are fields of their own (carried to
    meetings.json as the same fields), not lines here.
    """
    lines = [_field(meeting, "notes")]
    labelled = (("Types", ", ".join(type_names(codes))),
                ("Online", _field(meeting, "conference_url_notes")),
                ("By phone", _field(meeting, "conference_phone_notes")))
    lines += [f"{label}: {value}" for label, value in labelled if value]
    return "\n".join(line for line in lines if line) or None
