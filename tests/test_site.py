"""`supportdir site`: one self-contained page, driven in headless Chromium on a loopback server."""

import base64
import errno
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.publish_helpers import cli_command, cli_env, run_cli
from tests.sample_export import build_sample_export
from warehouse.search.index import read_exports

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    """The offline sample's export."""
    return build_sample_export(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def site(exports, tmp_path_factory) -> Path:
    """The page of the offline sample, written by the command line."""
    root = tmp_path_factory.mktemp("site")
    result = CliRunner().invoke(app, ["site", "--out", str(root / "site"), "--data", str(exports)])
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stdout and "KiB" in result.stdout
    return root / "site" / "index.html"


def searched(exports: Path, *args: str) -> dict:
    """What `supportdir search` answers for the same question (the page must agree with it)."""
    result = CliRunner().invoke(app, ["search", "--data", str(exports), "--format", "json",
                                      "--limit", "0", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def embedded(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)[1])


def test_the_page_is_one_self_contained_file(site):
    html = site.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link[^>]+stylesheet", html)  # nothing to fetch
    assert '<html lang="en">' in html and 'name="viewport"' in html and "988" in html
    data = embedded(site)
    names = {item["name"] for item in data["listings"]}
    assert "NAMI Lexington" in names and "SA Call – Sunday Evening" in names
    assert all(item["next"] == sorted(item["next"]) for item in data["listings"] if "next" in item)
    packed = np.frombuffer(base64.b64decode(data["zips"]),
                           dtype=[("lat", "<i2"), ("lon", "<i2"), ("city", "<u2")])
    valid = np.unpackbits(np.frombuffer(base64.b64decode(data["validZips"]), dtype=np.uint8),
                          bitorder="little")
    codes = np.flatnonzero(valid)  # the bitset gives the ZIPs' order
    assert len(codes) == len(packed) > 40_000  # every ZIP: a place far from all listings is still a place
    lexington = packed[codes == 40502][0]
    assert (lexington["lat"], lexington["lon"]) == (3802, -8449)
    cities = [f"{name}, {state}" for state, names in data["cities"] for name in names.split("|")]
    assert cities[lexington["city"]] == "Lexington, KY"
    zone = np.frombuffer(base64.b64decode(data["cityZones"]), dtype=np.uint8)[lexington["city"]]
    assert data["zones"][zone] == "America/New_York"
    assert site.stat().st_size < 1_300_000  # the descriptions add about 86 kB


def test_labels_for_every_control(site):
    html = site.read_text(encoding="utf-8")
    controls = re.findall(r'<(?:input|select)[^>]* id="([a-z-]+)"', html)
    assert len(controls) == 7
    for control in controls:
        assert f'<label for="{control}">' in html
    assert 'aria-live="polite"' in html and '<ol id="results"' in html


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A folder served on 127.0.0.1 (a free port); the URL of its index.html."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server(site):
    """The page's folder served on 127.0.0.1 (a free port)."""
    with serving(site.parent) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from the system (Debian's chromium), driven by Playwright."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it in .ci/run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def open_page(browser, url: str, width: int, height: int):
    context = browser.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="supportdir-chromium-"), executable_path=CHROMIUM, args=ARGS, headless=True,
        viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, errors


def result_names(page) -> list[str]:
    return page.locator("#results > li h3").all_text_contents()


def test_type_a_zip_then_filter_to_online(browser, server, exports):
    near = searched(exports, "--near", "40502", "--radius", "25")
    online = searched(exports, "--near", "40502", "--radius", "25", "--attendance", "online")
    context, page, errors = open_page(browser, server, 390, 844)
    try:
        assert "call or text 988" in page.locator("#crisis").inner_text()
        page.fill("#place", "40502")
        page.click("button[type=submit]")
        status = page.locator("#status")
        shown = " Showing the first 200." if near["total"] > 200 else ""  # the sample's feeds give 202
        assert status.inner_text() == f"{near['total']} found: 2 within 25 miles of Lexington, KY (40502), " \
            f"{near['total'] - 2} online or by phone.{shown}"
        assert result_names(page)[:2] == ["DBSA Lexington", "NAMI Lexington"]
        first = page.locator("#results > li").first.inner_text()
        assert "in Lexington" in first and "Chapter · DBSA · Lexington, KY" in first  # at the city centre
        page.select_option("#attendance", "online")
        assert status.inner_text() == \
            f"{online['total']} found: 0 within 25 miles of Lexington, KY (40502), " \
            f"{online['total']} online or by phone."
        names = result_names(page)
        assert sorted(names) == sorted(r["name"] for r in online["results"])
        assert {"DBSA Columbus Women’s Circle", "NAMI Kentucky Virtual", "SA Monday Evening"} <= set(names)
        assert not {"SA Call – Sunday Evening", "DBSA Lexington"} & set(names)  # phone, in person
        badges = page.locator("#results .badge").all_text_contents()
        assert set(badges) == {"Online"}
        first_group = page.locator("#results > li").first.inner_text()
        first_name = result_names(page)[0]
        assert "Next meeting" in first_group and \
            (f"Register for {first_name}" in first_group or f"Join {first_name} online" in first_group)
        assert page.locator("#crisis").is_visible() and page.get_by_text("988").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(Path(tempfile.gettempdir()) / "supportdir-site-phone.png"))
        assert errors == []
    finally:
        context.close()


def test_keyboard_only_city_search_and_a_bad_zip(browser, server, exports):
    near = searched(exports, "--near", "40502", "--radius", "25")
    context, page, errors = open_page(browser, server, 360, 740)
    try:
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "place"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # a visible focus ring
        page.keyboard.type("Lexington, KY")
        page.keyboard.press("Enter")
        assert page.locator("#status").inner_text().startswith(
            f"{near['total']} found: 2 within 25 miles of Lexington, KY")
        page.fill("#place", "00000")
        page.keyboard.press("Enter")
        assert page.locator("#place-error").inner_text() == "00000 is not a US ZIP code."
        assert page.get_attribute("#place", "aria-invalid") == "true"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert errors == []
    finally:
        context.close()


# --- hostile names, a page that would break, a page never seen half-written ---------------------

HOSTILE = ["Comment <!--<script/ Group", "{{crisis}} Circle",
           "</script><script>document.title='pwned'</script>",
           "Line\u2028Break\u2029 Chapter", "/*DATA*/ & <b>bold</b> &amp; Chapter"]


@pytest.fixture(scope="module")
def hostile(exports, tmp_path_factory) -> Path:
    """The sample's export with five active chapters renamed to names that attack the page."""
    folder = tmp_path_factory.mktemp("hostile") / "exports"
    shutil.copytree(exports.resolve(), folder)
    path = folder / "listings.jsonl"
    records = read_exports(folder)
    chapters = sorted((r for r in records if r["kind"] == "chapter" and r["status"] == "active"),
                      key=lambda r: r["listing_id"])
    for record, name in zip(chapters, HOSTILE, strict=False):
        record["name"] = name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return folder


def site_of(data: Path, out: Path) -> str:
    """`supportdir site --out OUT --data DATA`, which must succeed; its output."""
    result = CliRunner().invoke(app, ["site", "--out", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_hostile_names_stay_text_and_every_listing_is_shown(browser, hostile, tmp_path):
    site_of(hostile, tmp_path / "site")
    records = read_exports(hostile)
    active = [r for r in records if r["status"] == "active"]
    shown = len(active)  # "Looking for: everything" includes the organizations, as the command does
    with serving(tmp_path / "site") as url:
        context, page, errors = open_page(browser, url, 1024, 800)
        try:
            assert page.locator("#status").inner_text().startswith(f"{shown} found.")
            assert page.locator("#about").inner_text().startswith(f"{len(active)} listings.")
            page.select_option("#kind", "chapter")
            assert set(HOSTILE) <= set(result_names(page))  # as text, `{{crisis}}` as typed
            assert page.title() == "Find a peer-support group"  # no injected script ran
            assert page.locator("#results b").count() == 0
            assert errors == []
        finally:
            context.close()
    assert {item["name"] for item in embedded(tmp_path / "site" / "index.html")["listings"]} >= set(HOSTILE)


def test_site_fails_in_one_line_when_the_page_it_wrote_would_break(hostile, tmp_path, monkeypatch):
    from warehouse.search import site as site_module
    out = tmp_path / "site"
    site_of(hostile, out)
    before = (out / "index.html").read_bytes()
    old_escaping = lambda data: json.dumps(data, ensure_ascii=False).replace("</", "<\\/")  # noqa: E731
    monkeypatch.setattr(site_module, "embed", old_escaping, raising=False)
    result = CliRunner().invoke(app, ["site", "--out", str(out), "--data", str(hostile)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nothing published" in lines[0] and "its scripts are not intact" in lines[0]
    assert (out / "index.html").read_bytes() == before


def test_a_reader_never_sees_half_a_page_and_a_failed_write_keeps_the_old_one(exports, tmp_path, monkeypatch):
    out = tmp_path / "site"
    site_of(exports, out)
    before = (out / "index.html").read_bytes()
    seen: list[bytes] = []

    def dies_half_way(self: Path, text: str, *args, **kwargs) -> int:
        with self.open("w", encoding="utf-8") as handle:
            handle.write(text[: len(text) // 2])
            handle.flush()
            seen.append((out / "index.html").read_bytes())  # what a reader gets at this moment
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))

    monkeypatch.setattr(Path, "write_text", dies_half_way)
    result = CliRunner().invoke(app, ["site", "--out", str(out), "--data", str(exports)])
    monkeypatch.undo()
    assert seen == [before]
    assert result.exit_code == 1 and "Input/output error" in result.stderr
    assert (out / "index.html").read_bytes() == before
    assert not [p for p in (tmp_path / ".site.builds").iterdir() if p.name.endswith(".partial")]


def test_sigkill_during_site_leaves_a_whole_page(exports, tmp_path):
    out, home = tmp_path / "site", tmp_path / "home"
    started = time.monotonic()
    assert run_cli(home, "site", "--out", out, "--data", exports).returncode == 0
    duration = time.monotonic() - started
    chance = random.Random(2)
    for kill in range(8):
        delay = chance.uniform(0.05, duration)
        process = subprocess.Popen(cli_command("site", "--out", out, "--data", exports), env=cli_env(home),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        page = (out / "index.html").read_text(encoding="utf-8")
        assert page.endswith("</html>\n"), f"after kill {kill} at {delay:.2f} s: {len(page)} characters"
        assert len(embedded(out / "index.html")["listings"]) > 300


# --- the card: whom to contact, what the group is, links that say where they go -----------------------

FRIENDS = "DBSA Louisville Friends & Family Group"  # publishes no contact point; its chapter does
VAGUE_LINK_TEXTS = {"website", "register", "join link", "the source page", "email", "link", "here"}


def card_of(page, name: str):
    return page.locator("#results > li", has=page.locator("h3", has_text=name)).first


def test_a_group_without_contact_shows_its_chapters_and_links_name_what_they_open(browser, server, exports):
    rows = {r["name"]: r for r in read_exports(exports)}
    chapter = rows["DBSA Louisville"]
    context, page, errors = open_page(browser, server, 390, 844)
    try:
        page.fill("#place", "Louisville, KY")
        page.select_option("#kind", "group")
        page.click("button[type=submit]")
        friends = card_of(page, FRIENDS)
        shown = friends.inner_text()
        contact = friends.locator("dt", has_text="Contact").locator("xpath=following-sibling::dd[1]")
        assert contact.inner_text().startswith("DBSA Louisville (its chapter): Email DBSA Louisville at ")
        email = friends.get_by_role("link", name="Email DBSA Louisville", exact=True)
        assert email.get_attribute("href") == f"mailto:{chapter['email']}" and chapter["email"] in shown
        website = friends.get_by_role("link", name="DBSA Louisville's website", exact=True)
        assert website.get_attribute("href") == chapter["website"]
        assert friends.locator("p.about").inner_text() == rows[FRIENDS]["description"]  # short: whole
        source = friends.get_by_role("link", name="DBSA's page for this group", exact=True)
        assert source.get_attribute("href") == rows[FRIENDS]["source_url"]
        young = card_of(page, "DBSA Louisville Young Adults Group")
        assert "(its chapter)" not in young.inner_text()  # it has its own
        assert young.get_by_role("link", name="Email DBSA Louisville Young Adults Group").count() == 1
        texts = [t.strip().lower() for t in page.locator("#results a").all_text_contents()]
        assert texts and not VAGUE_LINK_TEXTS & set(texts)
        assert errors == []
    finally:
        context.close()


def test_a_long_description_is_shortened_and_opens_whole(browser, server, exports):
    described = {}
    for record in read_exports(exports):
        described.setdefault(record["name"], set()).add(" ".join((record.get("description") or "").split()))
    context, page, errors = open_page(browser, server, 1024, 800)
    try:
        page.fill("#place", "Louisville, KY")
        page.select_option("#attendance", "online")
        page.click("button[type=submit]")
        long = page.locator("#results > li", has=page.locator("details.about")).first
        name = long.locator("h3").inner_text()
        about = long.locator("details.about")
        whole = about.locator("p")
        short = about.locator(".short").inner_text().strip()
        assert not whole.is_visible() and about.locator(".more").is_visible()
        assert short.endswith("…") and len(short) <= 201
        about.locator("summary").click()
        assert whole.is_visible() and not about.locator(".short").is_visible()
        assert about.locator(".less").is_visible()
        assert whole.inner_text() in described[name] and len(whole.inner_text()) > 200
        assert whole.inner_text().startswith(short.rstrip("…"))
        assert errors == []
    finally:
        context.close()
