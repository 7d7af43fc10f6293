"""`supportdir site`: one self-contained page, driven in headless Chromium on a loopback server."""

import base64
import json
import re
import shutil
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.sample_export import build_sample_export

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
                           dtype=[("delta", "<u2"), ("lat", "<i2"), ("lon", "<i2"), ("city", "<u2")])
    codes = np.cumsum(packed["delta"].astype(int))
    lexington = packed[codes == 40502][0]
    assert (lexington["lat"], lexington["lon"]) == (3802, -8449)
    assert data["cities"][lexington["city"]] == "Lexington, KY"
    assert site.stat().st_size < 1_200_000


def test_labels_for_every_control(site):
    html = site.read_text(encoding="utf-8")
    controls = re.findall(r'<(?:input|select)[^>]* id="([a-z-]+)"', html)
    assert len(controls) == 7
    for control in controls:
        assert f'<label for="{control}">' in html
    assert 'aria-live="polite"' in html and '<ol id="results"' in html


@pytest.fixture(scope="module")
def server(site):
    """The page's folder served on 127.0.0.1 (a free port)."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(site.parent))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    httpd.shutdown()
    httpd.server_close()


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
        assert status.inner_text() == f"{near['total']} found: 2 within 25 miles of Lexington, KY (40502), " \
            f"{near['total'] - 2} online or by phone."
        assert result_names(page)[:2] == ["DBSA Lexington", "NAMI Lexington"]
        first = page.locator("#results > li").first.inner_text()
        assert "miles away" in first and "Chapter · DBSA · Lexington, KY" in first
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
        assert "Next meeting" in first_group and ("Register" in first_group or "Join link" in first_group)
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
