"""Synthetic SMART Recovery and LifeRing: the platform's sitemap, then one page per meeting.

A meeting page has an AddEvent block (start, end, timezone, title, description, RRULE), a
google.com/maps/dir link for a place and an "Online Meeting" card for a join link. About one page
in ten has no AddEvent block (a meeting that is not weekly: its schedule only in prose), as on the
real platform (DESIGN.md, "SMART Recovery and LifeRing"). LifeRing's sitemap is an index.
"""

import random
from html import escape
from urllib.parse import quote_plus

import us

from benchmarks import synth
from benchmarks.synth import HTML, Pages

XML = {"Content-Type": "application/xml; charset=UTF-8"}
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PROSE = ("First and third {day} of the month, {time} {zone}", "Second {day} of each month at {time} {zone}")


def urlset(urls: list[str]) -> bytes:
    """A sitemap listing these pages."""
    items = "".join(f"<url><loc>{escape(url)}</loc><lastmod>2026-11-10</lastmod></url>" for url in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">{items}</urlset>').encode()


def sitemap_index(urls: list[str]) -> bytes:
    """A sitemap index naming child sitemaps."""
    items = "".join(f"<sitemap><loc>{escape(url)}</loc></sitemap>" for url in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">{items}</sitemapindex>').encode()


def calendar(title: str, program: str, zone: str, day: int, hour: int) -> str:
    """The AddEvent block of a weekly meeting."""
    date = f"01/{6 + day:02d}/2025"  # 6 January 2025 was a Monday
    clock = f"{(hour - 1) % 12 + 1:02d}:00 {'AM' if hour < 12 else 'PM'}"
    ends = f"{hour % 12 + 1:02d}:00 {'AM' if hour + 1 < 12 else 'PM'}"
    return (f'<div title="Add to Calendar" class="addeventatc" data-styling="none">Add to Calendar'
            f'<span class="start">{date} {clock}</span><span class="end">{date} {ends}</span>'
            f'<span class="timezone">{zone}</span><span class="title">{escape(title)}</span>'
            f'<span class="description">Program: {program}<br>Audiences: Everyone<br>'
            "Languages: English</span>"
            f'<span class="recurring">RRULE:FREQ=WEEKLY;BYDAY={RRULE_DAYS[day]}</span></div>')


def meeting_page(rng: random.Random, number: int, program: str, site: str) -> bytes:
    """One meeting page: title, When card (AddEvent block or prose), place card or online card."""
    entry = synth.place(rng)
    state = us.states.lookup(entry["state"]).name
    title = f"#{number} - {entry['city']}, {state} - {rng.choice(synth.WORDS)} {program}"
    day, hour = rng.randint(0, 6), rng.randint(7, 20)
    online = rng.random() < 0.3
    if number % 10 == 3:  # not weekly: no AddEvent block, the schedule in prose only
        prose = rng.choice(PROSE).format(day=synth.DAYS[day][:-1], time=f"{(hour - 1) % 12 + 1}:00 PM",
                                         zone="Eastern")
        when = f'<p class="meeting-when__text">{prose}</p>'
    else:
        when = f'<p class="meeting-when__text">Every {synth.DAYS[day][:-1]}</p>' + \
               calendar(title, program, entry["timezone"], day, hour)
    if online:
        side = ('<div class="card meeting-online"><div class="card-body">'
                '<h2 class="card-title h5">Online Meeting</h2>'
                f'<a class="btn" href="https://us02web.zoom.us/j/555{number:07d}">Join Online Meeting</a>'
                "</div></div>")
    else:
        address = f"{synth.street(rng)}, {entry['city']}, {entry['state']} {entry['zip_code']}"
        directions = f"https://www.google.com/maps/dir//{quote_plus(address)}"
        side = ('<div class="card meeting-location"><div class="card-body">'
                '<h2 class="card-title h5">Location</h2>'
                f'<p class="location-name"><strong>{rng.choice(synth.WORDS)} Community Center</strong></p>'
                f'<a class="btn" href="{directions}">Get Directions</a></div></div>')
    body = (f'<h1 class="meeting-title">{escape(title)}</h1>'
            f'<div class="card meeting-when"><div class="card-body">'
            f'<h2 class="card-title h5">When</h2>{when}</div></div>{side}')
    return synth.chrome(f"{escape(title)} | {site}", body)


def generate_site(count: int, rng: random.Random, host: str, program: str, index: bool) -> Pages:
    """`count` meeting pages on `host`, listed by /sitemap.xml (directly, or through an index)."""
    live = f"https://{host}"
    first = 1000 if program == "LifeRing" else 40000
    urls = [f"{live}/meetings/{first + n}/" for n in range(count)]
    pages = {synth.key_of(url): (200, HTML, meeting_page(rng, first + n, program, f"{program} Meetings"))
             for n, url in enumerate(urls)}
    if index:
        pages["/sitemap.xml"] = (200, XML, sitemap_index([f"{live}/sitemap-meetings.xml"]))
        pages["/sitemap-meetings.xml"] = (200, XML, urlset([f"{live}/", *urls]))
    else:
        pages["/sitemap.xml"] = (200, XML, urlset([f"{live}/", f"{live}/meetings/", *urls]))
    return Pages(pages, count, 0, host=host)


def generate_smart(count: int, rng: random.Random) -> Pages:
    """SMART Recovery: one sitemap of meeting pages."""
    return generate_site(count, rng, "meetings.smartrecovery.org", "SMART Recovery", index=False)


def generate_lifering(count: int, rng: random.Random) -> Pages:
    """LifeRing: a sitemap index, then the meetings sitemap."""
    return generate_site(count, rng, "meetings.lifering.org", "LifeRing", index=True)
