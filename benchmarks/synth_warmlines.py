"""Synthetic NAMI warmline directory: one PDF (State | Warmline | Phone | Hours | Spanish | Chat/Text,
then National Support Lines) in the real layout, made by benchmarks/warmlines_pdf.py."""

import random

import us

from benchmarks import synth
from benchmarks.synth import Pages
from benchmarks.warmlines_pdf import NATIONAL_ROWS, Row, build_pdf
from scrapers.sources.warmlines import START_PATH

HOURS = ("24/7", "Daily 9am-9pm", "Mon-Fri 8am-8pm", "Daily 4pm-10pm", "Mon-Fri 10am-4pm; Sat 12pm-6pm")


def generate(count: int, rng: random.Random) -> Pages:
    """`count` lines: the national ones, then state lines in state order (a state's name on its first)."""
    states = sorted(us.states.lookup(code).name for code in synth.zips_by_state())
    nationals = NATIONAL_ROWS[: min(len(NATIONAL_ROWS), max(count - 1, 0))]
    lines = count - len(nationals)
    rows = []
    for number in range(lines):
        state = states[number * len(states) // lines]
        first = state if not rows or rows[-1][0] != state else ""
        county = rng.random() < 0.3
        rows.append((state, Row(first, f"{state} {rng.choice(synth.WORDS)} Warmline {number}",
                                f"({rng.randint(201, 989)}) 555-01{number % 100:02d}", rng.choice(HOURS),
                                rng.choice(("Yes", "No", "")), rng.choice(("Text", "Chat", "No", "")),
                                note=f"Serves {rng.choice(synth.WORDS)} County residents" if county else "")))
    body = build_pdf([row for _state, row in rows], nationals)
    pages = {START_PATH: (200, {"Content-Type": "application/pdf"}, body)}
    return Pages(pages, count, 0, host="www.nami.org")
