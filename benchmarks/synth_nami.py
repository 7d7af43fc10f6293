"""Synthetic NAMI: the WordPress affiliate API (100 a page) and one profile page per affiliate."""

import json
import random
from html import escape

from benchmarks import synth
from benchmarks.synth import HTML, Pages
from scrapers.sources.nami import PER_PAGE, api_path

LIVE = "https://www.nami.org"


def profile(entry: dict, title: str, rng: random.Random, email_host: str) -> bytes:
    """An affiliate profile: <h1> and the contact <dl> (address, website, email, phone)."""
    items = {
        "Address": f"{rng.randint(1, 9999)} Main St<br>{entry['city']}, {entry['state']} {entry['zip_code']}"
                   "<br>United States",
        "Website": f'<a href="https://www.{email_host}/">www.{email_host}</a>',
        "Email": f'<a href="mailto:info@{email_host}">info@{email_host}</a>',
        "Phone": synth.phone(rng, entry),
    }
    dl = "".join(f'<div><dt class="h6 affiliate-contact-information__item-label">{label}:</dt>'
                 f"<dd>{value}</dd></div>" for label, value in items.items())
    body = (f'<article><h1 class="affiliate-header__title">{escape(title)}</h1>'
            f'<dl class="affiliate-contact-information__content">{dl}</dl></article>')
    return synth.chrome(f"{escape(title)} | NAMI", body)


def generate(count: int, rng: random.Random) -> Pages:
    """`count` profiles (a state organization per state first), about 5 % republished under a second slug."""
    pages: dict = {}
    entries: list[dict] = []
    states = sorted(synth.zips_by_state())
    duplicates = 0
    for number in range(count):
        if number < len(states):
            state = states[number]
            place = synth.place(rng, state)
            segments = [synth.state_slug(state)]
            title = f"NAMI {segments[0].replace('-', ' ').title()}"
        elif number % 20 == 0 and entries:  # the same affiliate again, under another slug
            original = rng.choice(entries)
            title, place, segments = original["title"], original["place"], [original["segments"][0],
                                                                            f"dup-{number}"]
            duplicates += 1
        else:
            place = synth.place(rng)
            title = synth.name(rng, "NAMI", place["city"], number)
            segments = [synth.state_slug(place["state"]), f"nami-affiliate-{number}"]
        host = f"nami-{segments[-1]}.org"
        link = f"{LIVE}/find-your-local-nami/{'/'.join(segments)}/"
        entries.append({"title": title, "place": place, "segments": segments})
        api = {"id": number + 1, "slug": segments[-1], "link": link, "title": {"rendered": escape(title)}}
        pages[synth.key_of(link)] = (200, HTML, profile(place, title, rng, host))
        entries[-1]["api"] = api
    total_pages = max(1, -(-count // PER_PAGE))
    for page in range(1, total_pages + 1):
        chunk = [e["api"] for e in entries[(page - 1) * PER_PAGE: page * PER_PAGE]]
        headers = {"Content-Type": "application/json; charset=UTF-8", "X-WP-Total": str(count),
                   "X-WP-TotalPages": str(total_pages)}
        pages[synth.key_of(LIVE + api_path(page))] = (200, headers, json.dumps(chunk).encode())
    return Pages(pages, count, duplicates, host="www.nami.org")
