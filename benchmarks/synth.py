"""Shared pieces of the synthetic mirror: seeded names, places, phones and schedules, and the page map.

Each source format has its own small generator module (synth_<source>.py) with
`generate(count, rng) -> Pages` (SMART and LifeRing share synth_meetings_platform.py); a new source
plugs in by adding one and naming it in benchmarks/scale.py's GENERATORS.
"""

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

import us
import zipcodes

from schemas.urls import canonical_url

Response = tuple[int, dict[str, str], bytes]
HTML = {"Content-Type": "text/html; charset=UTF-8"}
DUPLICATE_SHARE = 0.05
WORDS = ("Hope", "Harbor", "Bridge", "Compass", "Lighthouse", "Pathways", "Horizon", "Summit", "Haven",
         "Anchor", "Journey", "Circle", "Northside", "Riverside", "Lakeside", "Valley", "Prairie", "Coastal")
DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
TIMES = ("7:00 PM", "6:30 p.m.", "10:00 AM", "noon", "7pm", "5:30 PM", "8:00 p.m.")
ZONES = ("ET", "CT", "MT", "PT", "Eastern", "Central", "Pacific")


def key_of(url: str) -> str:
    """Path and sorted query of a URL: what the mirror matches on."""
    parts = urlsplit(canonical_url(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mirrored_key(url: str) -> str:
    """The mirror key of another host's URL, as Source.mirrored serves it (/<host><path>?<query>)."""
    parts = urlsplit(url)
    return key_of(f"http://mirror/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else ""))


def point(rng: random.Random, entry: dict) -> tuple[float, float]:
    """A point a little off the ZIP's centre (within about a kilometre)."""
    return (round(float(entry["lat"]) + rng.uniform(-0.01, 0.01), 5),
            round(float(entry["long"]) + rng.uniform(-0.01, 0.01), 5))


def street(rng: random.Random) -> str:
    """A street address line."""
    return f"{rng.randint(1, 9999)} {rng.choice(WORDS)} {rng.choice(('St', 'Ave', 'Rd', 'Blvd'))}"


@dataclass
class Pages(Mapping[str, Response]):
    """A source's synthetic pages by mirror key, plus how many listings they hold.

    `listings` counts what the source should list from the pages (entries it leaves out by design,
    such as clubhouses abroad, are not counted). `host` is the live host the pages stand for;
    `hosts` names another live host for a page of a many-host source, mirrored as /<host><path>.
    """

    pages: dict[str, Response]
    listings: int
    duplicates: int
    host: str = ""
    hosts: dict[str, str] = field(default_factory=dict)

    def real_host(self, key: str) -> str:
        """The live host a mirror key stands for."""
        return self.hosts.get(key, self.host)

    def __getitem__(self, key: str) -> Response:
        return self.pages[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.pages)

    def __len__(self) -> int:
        return len(self.pages)


@cache
def zips_by_state() -> dict[str, list[dict]]:
    """Standard ZIP codes of the 50 states and DC, grouped by state."""
    grouped: dict[str, list[dict]] = {}
    for entry in zipcodes.list_all():
        if entry["zip_code_type"] == "STANDARD" and entry["active"]:
            grouped.setdefault(entry["state"], []).append(entry)
    states = {s.abbr for s in us.states.STATES} | {"DC"}
    return {state: entries for state, entries in grouped.items() if state in states}


def place(rng: random.Random, state: str | None = None) -> dict:
    """A real ZIP code with its city and state."""
    grouped = zips_by_state()
    state = state or rng.choice(sorted(grouped))
    return rng.choice(grouped[state])


def name(rng: random.Random, prefix: str, city: str, number: int) -> str:
    """A varied listing name that stays unique through its number."""
    return f"{prefix} {city} {rng.choice(WORDS)} {number}"


def phone(rng: random.Random, entry: dict) -> str:
    """A valid-looking US phone number in the ZIP's area code."""
    area = (entry.get("area_codes") or ["212"])[0]
    return f"({area}) {rng.randint(201, 989)}-{rng.randint(1000, 9999)}"


def schedule(rng: random.Random) -> str:
    """A schedule sentence in one of several published styles."""
    day, time, zone = rng.choice(DAYS), rng.choice(TIMES), rng.choice(ZONES)
    return rng.choice([f"Meets {day} at {time} {zone}.", f"{day}, {time} {zone}",
                       f"2nd and 4th {day} at {time} {zone}.", f"Every {day[:-1]} {time} {zone}."])


def state_slug(code: str) -> str:
    """NAMI's hyphenated state name (new-york, district-of-columbia)."""
    return us.states.lookup(code).name.lower().replace(" ", "-")


def chrome(title: str, body: str) -> bytes:
    """A page with a header and footer of the usual size around its content."""
    nav = "".join(f'<li class="menu-item"><a href="/section-{i}/">Section {i}</a></li>' for i in range(12))
    return (f'<!doctype html><html lang="en-US"><head><meta charset="UTF-8"><title>{title}</title>'
            f'<link rel="stylesheet" href="/wp-content/themes/main.css"></head><body>'
            f'<header class="site-header"><nav aria-label="Main"><ul class="menu">{nav}</ul></nav></header>'
            f'<main id="main">{body}</main><footer class="site-footer"><p>In a crisis? Call or text '
            f'<a href="tel:988">988</a>.</p><nav>{nav}</nav></footer></body></html>').encode()
