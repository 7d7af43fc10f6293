"""Synthetic Clubhouse International directory: 26 letter pages of <br>-separated entries.

Each entry is a nested div (DESIGN.md, "Clubhouse International"): a linked name, street lines,
"City, State, USA <zip>", then Director / Phone / Fax / Email (Cloudflare-protected) / Website
Address lines. About one entry in ten is abroad (left out by the parser, not counted).
"""

import random
from html import escape
from string import ascii_uppercase

import us

from benchmarks import synth
from benchmarks.synth import HTML, Pages
from scrapers.sources.clubhouse import DIRECTORY_PATH

LIVE = "https://clubhouse-intl.org"
ABROAD = (("Toronto", "Ontario", "Canada M5V 2T6"), ("Leeds", "West Yorkshire", "United Kingdom LS1 4AP"),
          ("Osaka", "Osaka", "Japan 530-0001"))


def protected(email: str, key: int) -> str:
    """An email as Cloudflare hides it: the key byte, then each byte XOR the key, in hex."""
    return bytes([key, *(byte ^ key for byte in email.encode())]).hex()


def entry(rng: random.Random, letter: str, number: int, abroad: bool) -> str:
    """One directory entry."""
    name = f"{letter}{rng.choice(synth.WORDS).lower()} House Clubhouse {number}"
    site = f"https://clubhouse-{number}.example.org/"
    if abroad:
        city, region, country = rng.choice(ABROAD)
    else:
        place = synth.place(rng)
        city, region = place["city"], us.states.lookup(place["state"]).name
        country = f"USA {place['zip_code']}"
    email = f"info@clubhouse-{number}.example.org"
    lines = [f'<a href="{site}">{escape(name)}</a>', synth.street(rng),
             f"{escape(city)}, {region}, {country}",
             "<strong>Director:</strong> Pat Example",
             f"<strong>Phone:</strong> ({rng.randint(201, 989)}) 555-01{number % 100:02d}",
             f'<strong>Email:</strong> <a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
             f'data-cfemail="{protected(email, rng.randint(1, 255))}">[email&#160;protected]</a>',
             f'<strong>Website Address:</strong> <a href="{site}">{site}</a>']
    body = "<br />".join(lines)
    return f'<div class="directory-entry"><div class="directory-entry__body">{body}</div></div>'


def letter_page(letter: str, entries: list[str]) -> bytes:
    """A letter's page: the letter navigation, then its entries."""
    nav = "".join(f'<a href="{LIVE}{DIRECTORY_PATH}{c}">{c}</a>' for c in ascii_uppercase)
    body = (f'<h1 class="entry-title">International Directory</h1><div class="directory-letters">{nav}</div>'
            f'<h2 class="directory-letter">{letter}</h2>'
            f'<div class="directory-results">{"".join(entries)}</div>')
    return synth.chrome("International Directory - Clubhouse International", body)


def generate(count: int, rng: random.Random) -> Pages:
    """`count` US clubhouses over the 26 letters, plus one abroad for every ten (not listed)."""
    by_letter: dict[str, list[str]] = {c: [] for c in ascii_uppercase}
    for number in range(count + count // 10):
        letter = ascii_uppercase[number % 26]
        by_letter[letter].append(entry(rng, letter, number, abroad=number >= count))
    pages = {synth.key_of(LIVE + DIRECTORY_PATH + c): (200, HTML, letter_page(c, entries))
             for c, entries in by_letter.items()}
    return Pages(pages, count, 0, host="clubhouse-intl.org")
