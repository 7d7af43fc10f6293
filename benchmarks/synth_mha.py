"""Synthetic Mental Health America: the Yoast affiliates sitemap, then one page per affiliate."""

import random
from html import escape

import us

from benchmarks import synth
from benchmarks.synth import HTML, Pages
from benchmarks.synth_meetings_platform import urlset
from scrapers.sources.mha import SITEMAP_PATH

LIVE = "https://mhanational.org"
XML = {"Content-Type": "application/xml; charset=UTF-8"}


def affiliate_page(rng: random.Random, title: str, entry: dict) -> bytes:
    """An affiliate page: <h1>, then div.the-content with the address, phone and website lines."""
    site = f"www.{title.lower().replace(' ', '')[:40]}.org"
    content = (f"<p><strong>Affiliate Address</strong><br />{synth.street(rng)}<br />"
               f"{escape(entry['city'])}, {entry['state']} {entry['zip_code']}<br />United States</p>"
               f"<p><strong>Phone:</strong> {synth.phone(rng, entry)}</p>"
               f'<p><strong>Website:</strong> <a href="https://{site}/">{site}</a></p>')
    body = (f'<article class="affiliate"><h1 class="entry-title">{escape(title)}</h1>'
            f'<div class="the-content">{content}</div></article>')
    return synth.chrome(f"{escape(title)} | Mental Health America", body)


def generate(count: int, rng: random.Random) -> Pages:
    """`count` affiliates (a state affiliate per state first, then local ones)."""
    states = sorted(synth.zips_by_state())
    pages, urls = {}, [f"{LIVE}/affiliates/"]  # the first <loc> is the index page, not an affiliate
    for number in range(count):
        state = states[number % len(states)]
        entry = synth.place(rng, state)
        title = f"Mental Health America of {us.states.lookup(state).name}" if number < len(states) else \
            synth.name(rng, "Mental Health America of", entry["city"], number)
        url = f"{LIVE}/affiliates/mha-{number}/"
        urls.append(url)
        pages[synth.key_of(url)] = (200, HTML, affiliate_page(rng, title, entry))
    pages[SITEMAP_PATH] = (200, XML, urlset(urls))
    return Pages(pages, count, 0, host="mhanational.org")
