"""Synthetic DBSA: 51 state pages, each with its chapters and their groups as groupInfo blocks."""

import random
from html import escape

import us

from benchmarks import synth
from benchmarks.synth import HTML, Pages
from scrapers.sources.dbsa import _FIND_PATH, STATE_CODES
from scrapers.sources.dbsa_online import ONLINE_PATH

LIVE = "https://www.dbsalliance.org"
ONLINE_GROUPS = 8  # listed besides the `count` of the state pages


def block(name: str, location: str, email: str, text: str) -> str:
    """One groupInfo listing."""
    return (f'<div class="groupInfo prose mb-8"><h3 class="groupInfo__name">{escape(name)}</h3>'
            f'<div class="groupInfo__location">{escape(location)}</div>'
            f'<p><strong>Email: </strong><a href="mailto:{email}">{email}</a></p>'
            f'<p><a href="https://{email.split("@")[1]}/">Visit Website</a></p><p>{escape(text)}</p></div>')


def state_page(code: str, blocks: list[str]) -> bytes:
    """A state's find-a-group page: the state form, then its listings."""
    options = "".join(f'<option value="{c}">{c}</option>' for c in STATE_CODES)
    form = f'<form class="findGroup__form"><select name="state">{options}</select></form>'
    found = "".join(blocks) or (f"<p>No support groups were found in {us.states.lookup(code).name}. "
                                "Please check back soon.</p>")  # a state without groups says so
    results = f'<div class="findGroup__results">{found}</div>'
    return synth.chrome("Find a Support Group", form + results)


def online_page(rng: random.Random, groups: int = ONLINE_GROUPS) -> bytes:
    """The national online groups page: a heading, prose schedule and Register link per group."""
    sections = "".join(
        f'<h3 id="online-{number}">{escape(synth.name(rng, "DBSA Online", "Peer", number))} Group</h3>'
        f"<p>An online peer support group. {synth.schedule(rng)}</p>"
        f'<p><a href="https://dbsa.zoom.us/meeting/register/g{number}">Register Now</a></p>'
        for number in range(groups))
    return synth.chrome("DBSA National Online Support Groups", f'<div class="entry-content">{sections}</div>')


def generate(count: int, rng: random.Random) -> Pages:
    """`count` listings over the 51 state pages (chapters with four groups each; some on two states),
    and the online groups page."""
    per_state: dict[str, list[str]] = {code: [] for code in STATE_CODES}
    chapter, city, code, duplicates = "", "", STATE_CODES[0], 0
    for number in range(count):
        if number % 5 == 0:  # a chapter, then four of its groups
            code = STATE_CODES[(number // 5) % len(STATE_CODES)]
            city = synth.place(rng, code)["city"]
            chapter = synth.name(rng, "DBSA", city, number)
            html = block(chapter, city, f"info@dbsa-{number}.org", "Free peer support for people "
                         "living with depression or bipolar disorder and their families.")
            if number % 100 == 0:  # a regional chapter listed under a neighbouring state too
                other = STATE_CODES[(STATE_CODES.index(code) + 1) % len(STATE_CODES)]
                per_state[other].append(html)
                duplicates += 1
        else:
            html = block(f"{chapter} Group {number}", f"{city} - {chapter}", f"group{number}@dbsa.org",
                         f"A peer support group. {synth.schedule(rng)} Walk-ins welcome.")
        per_state[code].append(html)
    pages = {synth.key_of(LIVE + _FIND_PATH + code): (200, HTML, state_page(code, blocks))
             for code, blocks in per_state.items()}
    pages[synth.key_of(LIVE + ONLINE_PATH)] = (200, HTML, online_page(rng))  # a start page of its own
    return Pages(pages, count + ONLINE_GROUPS, duplicates, host="www.dbsalliance.org")
