"""Synthetic Meeting Guide feeds: one JSON array per feed of scrapers/feeds.toml, each on its own host.

Feeds differ in size (a big city intergroup publishes many times what a rural area does) and in
producer: about one feed in five is off-spec (days as weekday names, `HH:MM:SS` times, coordinates
as strings, empty strings for missing values), as DESIGN.md ("Meeting Guide JSON feeds") says.
"""

import json
import random
from urllib.parse import urlsplit

from benchmarks import synth
from benchmarks.synth import Pages
from scrapers.sources.feeds import DEFAULT_FEEDS, Feed, load_feeds

JSON = {"Content-Type": "application/json; charset=UTF-8"}
TYPES = (["O", "D"], ["C", "BB"], ["O", "SP"], ["C", "W", "D"], ["O", "ONL"], ["C", "12x12"], ["O", "B"])
TIMEZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
             "PT": "America/Los_Angeles"}


def shares(rng: random.Random, feeds: int, count: int) -> list[int]:
    """`count` meetings over `feeds` feeds, uneven (weights 1 to 10), at least one each."""
    weights = [rng.uniform(1, 10) for _ in range(feeds)]
    sizes = [max(1, int(count * w / sum(weights))) for w in weights]
    sizes[0] += count - sum(sizes)  # the remainder to the first feed (never below one)
    return sizes


def meeting(rng: random.Random, number: int, off_spec: bool) -> dict:
    """One meeting as a 12 Step Meeting List site (or, off-spec, another producer) writes it."""
    entry = synth.place(rng)
    latitude, longitude = synth.point(rng, entry)
    day, hour = rng.randint(0, 6), rng.randint(6, 21)
    attendance = rng.choice(("in_person", "in_person", "hybrid", "online"))
    item = {"name": f"{rng.choice(synth.WORDS)} Group {number}", "slug": f"meeting-{number}",
            "day": day, "time": f"{hour:02d}:{rng.choice((0, 30)):02d}", "end_time": f"{hour + 1:02d}:00",
            "types": rng.choice(TYPES), "timezone": entry["timezone"], "attendance_option": attendance,
            "location": f"{rng.choice(synth.WORDS)} Church", "updated": "2026-10-01 12:00:00",
            "formatted_address": f"{synth.street(rng)}, {entry['city']}, {entry['state']} {entry['zip_code']}"
                                 ", USA",
            "latitude": latitude, "longitude": longitude}
    if attendance != "in_person":
        item["conference_url"] = f"https://zoom.us/j/55501{number:05d}"
    if off_spec:  # the same facts as another producer writes them
        item.update(day=synth.DAYS[(day + 6) % 7][:-1], time=f"{item['time']}:00", end_time="",
                    latitude=str(latitude), longitude=str(longitude), notes="")
    return item


def feed_key(feed: Feed) -> str:
    """The mirror key of a feed's URL."""
    return synth.mirrored_key(feed.url)


def generate(count: int, rng: random.Random) -> Pages:
    """`count` meetings over every feed of the feeds file; ~5 % listed twice in their feed (new slug)."""
    feeds = load_feeds(DEFAULT_FEEDS)
    pages, hosts, number, duplicates = {}, {}, 0, 0
    for feed, size in zip(feeds, shares(rng, len(feeds), count), strict=True):
        off_spec = rng.random() < 0.2
        items = []
        for _ in range(size):
            items.append(meeting(rng, number, off_spec))
            if number % 20 == 0 and len(items) > 1:  # a meeting entered twice by its intergroup
                items[-1] = {**items[-2], "slug": f"meeting-{number}"}
                duplicates += 1
            number += 1
        key = feed_key(feed)
        pages[key] = (200, JSON, json.dumps(items).encode())
        hosts[key] = urlsplit(feed.url).netloc
    return Pages(pages, count, duplicates, host="meetingguide mirror", hosts=hosts)
