"""Synthetic S&PAA: one peer support groups page, a heading and a schedule paragraph per group."""

import random
from html import escape

from benchmarks import synth
from benchmarks.synth import HTML, Pages

LIVE = "https://sczaction.org"
PAGE = "/peer-support-groups/"


def generate(count: int, rng: random.Random) -> Pages:
    """`count` groups in SA, family and call-in sections; ~5 % listed twice (same name and time)."""
    sections = {"Schizophrenia Alliance (SA) Virtual Groups": [], "Family Support Groups": [],
                "SA Conference Call Groups": []}
    kinds = list(sections)
    duplicates = 0
    for number in range(count):
        heading = kinds[number % 3]
        label = {0: "SA", 1: "Families for Care", 2: "SA Call"}[number % 3]
        group = (f"<h3>{escape(label)} {rng.choice(synth.WORDS)} {number}</h3>"
                 f"<p>{escape(synth.schedule(rng))}</p>"
                 f'<p><a href="{LIVE}/register-{number}/">Register</a></p>')
        sections[heading].append(group)
        if number % 20 == 0:  # shown twice on the page: one group
            sections[heading].append(group)
            duplicates += 1
    body = "".join(f"<section><h2>{escape(heading)}</h2>{''.join(groups)}</section>"
                   for heading, groups in sections.items())
    pages = {PAGE: (200, HTML, synth.chrome("Peer Support Groups", f"<h1>Peer Support Groups</h1>{body}"))}
    return Pages(pages, count, duplicates, host="sczaction.org")
