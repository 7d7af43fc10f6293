"""A hostile Meeting Guide feed through a whole build (`supportdir build --replay`): formula cells,
double-escaped and unclosed markup, bidi overrides and URLs with impossible ports.

The feed stands for https://aasandiego.org/wp-admin/admin-ajax.php?action=meetings (the sample's),
with meetings added or edited; the build replays it from a WARC, Meeting Guide only.
"""

import csv
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from flows.cli import app
from flows.report import print_build
from scrapers.archive import WarcArchive
from scrapers.sample import SampleResponse, write_sample

FEED = "https://aasandiego.org/wp-admin/admin-ajax.php?action=meetings"
BAD_PORTS = {"tradition-study": "https://aasandiego.org:99999/x",
             "bad-port-abc": "https://aasandiego.org:abc/x", "bad-port-minus": "https://aasandiego.org:-1/x"}
# One meeting per formula character, each on its own day so none merges with another (tab and CR
# before a "=", as trimming the edges of a text would leave nothing else to neutralize).
LEADS = {"eq": "=", "plus": "+", "minus": "-", "at": "@", "tab": "\t=", "cr": "\r="}
PAYLOAD = "cmd|' /C calc'!A0"
# The scraper decodes the feed's own escaping (WordPress: "Women&#8217;s"), then clean_text reads the
# HTML once: the second name reaches clean_text escaped twice.
DOUBLE_ESCAPED = "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; Double Escaped"
TRIPLE_ESCAPED = "&amp;amp;lt;script&amp;amp;gt;alert(2)&amp;amp;lt;/script&amp;amp;gt; Triple Escaped"
UNCLOSED = "Bring a friend <img src=x onerror=alert(1) x="
LONG_TAG = '<a title="' + "A" * 600 + '">Long Tag Hall</a>'
BIDI = "Bidi \u202eevil\u2066x\u2069\u200f\u200b Group"
LIVE_TAG = re.compile(r"</?(?:script|img|a)\b", re.IGNORECASE)  # "< script" is text in HTML
BIDI_CHARS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# What a spreadsheet may be given raw: a number (E.164 phones too) or an RFC 5545 BYDAY list.
TYPED = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|"
                   r"(?:[+-]?[0-9]{0,2}(?:MO|TU|WE|TH|FR|SA|SU),?)+")
REVIEW = {"review-left": f"@{PAYLOAD} Serenity Seekers Group", "review-right": f"-{PAYLOAD} Serenity Sisters"}
GUARDED_FILES = ("listings.csv", "entities.csv", "review.csv", "hsds/services.csv", "hsds/locations.csv",
                 "hsds/addresses.csv")


def hostile_meetings(meetings: list[dict]) -> list[dict]:
    """The feed's meetings with bad ports, formula fields, hostile markup and a pair for review."""
    first = meetings[0]
    assert first["slug"] == "tradition-study"
    added = [{**first, "slug": slug, "url": url} for slug, url in BAD_PORTS.items() if slug != first["slug"]]
    first["url"] = BAD_PORTS[first["slug"]]
    for day, (key, lead) in enumerate(LEADS.items()):
        added.append({**first, "slug": f"formula-{key}", "name": f"{lead}{PAYLOAD} {key}", "day": day,
                      "url": f"https://aasandiego.org/meetings/formula-{key}/",
                      "notes": f"{lead}{PAYLOAD} notes", "location": f"{lead}{PAYLOAD} Hall",
                      "address": f"{lead}{PAYLOAD} Main St", "city": f"{lead}{PAYLOAD} City", "state": "CA",
                      "postal_code": "92120", "formatted_address": ""})
    # Two names close enough to be sent to review.csv (same ZIP, same meeting time).
    for slug, name in REVIEW.items():
        added.append({**first, "slug": slug, "name": name, "day": 6, "time": "21:00", "end_time": "22:00",
                      "url": f"https://aasandiego.org/meetings/{slug}/"})
    for slug, name, notes, location in (("double-escaped", DOUBLE_ESCAPED, UNCLOSED, LONG_TAG),
                                        ("triple-escaped", TRIPLE_ESCAPED, "", ""),
                                        ("bidi", BIDI, BIDI, BIDI)):
        added.append({**first, "slug": slug, "name": name, "notes": notes, "location": location, "day": 3,
                      "url": f"https://aasandiego.org/meetings/{slug}/"})
    return [*meetings, *added]


def edited(response: SampleResponse) -> SampleResponse:
    """The sample with the aasandiego feed made hostile."""
    if response.url != FEED:
        return response
    meetings = hostile_meetings(json.loads(response.body))
    return replace(response, body=json.dumps(meetings).encode("utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """One replay build of the hostile snapshot (Meeting Guide only), its summary and export folder."""
    from prefect.testing.utilities import prefect_test_harness

    root = tmp_path_factory.mktemp("hostile-build")
    write_sample(WarcArchive(root / "snap", prefix="snapshot"), edited)
    with pytest.MonkeyPatch.context() as patch, prefect_test_harness(server_startup_timeout=120):
        patch.setenv("SUPPORTDIR_HOME", str(root / "data"))
        result = CliRunner().invoke(app, ["build", "--replay", str(root / "snap"), "--source", "meetingguide",
                                          "--out", str(root / "exports"), "--json"])
        runs = CliRunner().invoke(app, ["runs", "--json"])
    return {"code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr,
            "out": root / "exports", "runs": runs.stdout}


def summary_of(built: dict) -> dict:
    """The build's --json summary (the build must have finished as usual)."""
    assert built["code"] == 0, built["stderr"][-3000:]
    return json.loads(built["stdout"])


def jsonl(built: dict) -> dict[str, dict]:
    """listings.jsonl by source key."""
    lines = (built["out"] / "listings.jsonl").read_text("utf-8").splitlines()
    return {row["source_key"]: row for row in map(json.loads, lines)}


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a published CSV."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_urls_with_impossible_ports_become_empty_and_are_counted(built):
    summary = summary_of(built)
    assert summary["status"] == "ok" and summary["exports"]["listings.csv"] > 300
    assert summary["problems"] == {"clean_url": 3}
    assert json.loads(built["runs"])[0]["problems"] == {"clean_url": 3}  # recorded with the run
    console = Console(record=True, width=200)
    print_build(console, summary)
    assert "could not be read, left empty (the listings kept): clean_url 3" in console.export_text()
    rows = jsonl(built)
    for slug in BAD_PORTS:
        assert rows[f"aasandiego/{slug}"]["website"] is None
    assert rows["aasandiego/tradition-study"]["name"] == "Tradition Study"


def test_every_csv_guards_every_formula_cell(built):
    summary_of(built)
    for name in GUARDED_FILES:
        cells = [cell for row in csv_rows(built["out"] / name) for cell in row.values() if PAYLOAD in cell]
        assert any(cell[0] == "'" and cell[1] in "=+-@" for cell in cells), f"no guarded cell in {name}"
        assert not [cell for cell in cells if cell[0] in "=+-@\t\r"], name
    review = [{r["left_name"], r["right_name"]} for r in csv_rows(built["out"] / "review.csv")]
    assert {"'" + name for name in REVIEW.values()} in review
    for path in sorted(built["out"].rglob("*.csv")):
        for row in csv_rows(path):
            for column, cell in row.items():
                assert not cell or cell[0] not in "=+-@\t\r" or TYPED.fullmatch(cell), (path, column, cell)


def test_the_json_exports_keep_the_values_unguarded(built):
    rows = jsonl(built)
    for key, lead in LEADS.items():
        row, lead = rows[f"aasandiego/formula-{key}"], lead.strip()  # edges trimmed, the formula stays
        assert row["name"] == f"{lead}{PAYLOAD} {key}"
        assert (row["street"], row["city"]) == (f"{lead}{PAYLOAD} Main St", f"{lead}{PAYLOAD} City")


def test_no_export_holds_a_live_tag_or_a_bidi_override(built):
    summary_of(built)
    rows = jsonl(built)
    assert rows["aasandiego/double-escaped"]["name"] == "< script>alert(1)< /script> Double Escaped"
    # Decoded once by the HTML reading, never again: text, not a tag.
    assert rows["aasandiego/triple-escaped"]["name"] == \
        "&lt;script&gt;alert(2)&lt;/script&gt; Triple Escaped"
    # An unclosed tag runs to the end of the text, as in a browser: nothing of it is published.
    assert rows["aasandiego/double-escaped"]["description"] == "Bring a friend"
    places = (built["out"] / "hsds" / "locations.csv").read_text("utf-8")
    assert "Long Tag Hall" in places and "A" * 600 not in places  # a tag of 600 characters is a tag
    assert rows["aasandiego/bidi"]["name"] == "Bidi evilx Group"
    data = (".csv", ".jsonl", ".json", ".geojson", ".ics")
    texts = [p for p in built["out"].rglob("*") if p.is_file() and p.name != "datapackage.json"
             and "schema" not in p.parent.name and p.suffix in data]
    assert any(p.name == "groups.ics" for p in texts) and any(p.name == "meetings.json" for p in texts)
    for path in texts:
        text = path.read_text("utf-8")
        assert not LIVE_TAG.search(text), (path.name, LIVE_TAG.search(text))
        assert not BIDI_CHARS.search(text), path.name
    assert "Double Escaped" in (built["out"] / "groups.ics").read_text("utf-8")
    assert "Double Escaped" in (built["out"] / "meetings.json").read_text("utf-8")
    assert "Double Escaped" in (built["out"] / "directory.geojson").read_text("utf-8")
