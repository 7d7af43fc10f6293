"""The page's place box, ambiguous cities, nearest listing, days in the searcher's zone, Show more and
"everything", each checked against what `supportdir search` answers (headless Chromium)."""

from collections import Counter
from datetime import datetime

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.test_site import browser, exports, open_page, result_names, searched, server, site  # noqa: F401

LIMIT = 200


def look_for(page, place: str) -> str:
    """Type a place, search, and return the status line."""
    page.fill("#place", place)
    page.press("#place", "Enter")
    return page.locator("#status").inner_text()


def every_name(page) -> list[str]:
    """The names of every result, pressing Show more until there are no more."""
    while page.locator("#more").is_visible():
        page.click("#more")
    return result_names(page)


def expected_status(found: dict, radius: int = 25) -> str:
    """The page's status line for the command's answer."""
    nearby = sum(1 for r in found["results"] if not r["remote"])
    shown = f" Showing the first {LIMIT}." if found["total"] > LIMIT else ""
    if found["nearest_miles"] is not None:
        return (f"No group within {radius} miles of {found['place']}; the nearest is "
                f"{found['nearest_miles']:,.0f} miles away. These meet online or by phone: "
                f"{found['total']} found.{shown}")
    return (f"{found['total']} found: {nearby} within {radius} miles of {found['place']}, "
            f"{found['total'] - nearby} online or by phone.{shown}")


PLACES = ["40502", "40502-1234", "Lexington KY", "lexington ky", "Lexington, Kentucky", "38.04,-84.50",
          "Honolulu, HI", "st. louis mo", "40202", "Louisville, KY"]


def test_the_place_box_reads_places_as_the_command_does(browser, server, exports):  # noqa: F811
    context, page, errors = open_page(browser, server, 1024, 800)
    try:
        for typed in PLACES:
            found = searched(exports, "--near", typed, "--radius", "25")
            assert look_for(page, typed) == expected_status(found), typed
            assert page.get_attribute("#place", "aria-invalid") == "false"
            nearby = [r for r in found["results"] if not r["remote"]]
            assert result_names(page)[:len(nearby)] == [r["name"] for r in nearby], typed
            badges = page.locator("#results > li .badge").all_text_contents()[:len(nearby)]
            assert badges == [r["distance_text"] for r in nearby], typed  # one formula, one point
        assert "in Louisville" in page.locator("#results").inner_text()  # Louisville, typed last
        assert errors == []
    finally:
        context.close()


def test_a_city_in_several_states_offers_them(browser, server, exports):  # noqa: F811
    result = CliRunner().invoke(app, ["search", "--data", str(exports), "--near", "Lexington"])
    assert result.exit_code == 2
    choices = result.stderr.split("states: ", 1)[1].split("; add the state")[0].split("; ")
    context, page, errors = open_page(browser, server, 390, 844)
    try:
        assert look_for(page, "lexington") == "No search yet: check the place."
        assert page.locator("#place-error").inner_text() == "lexington is a city in 18 states. Choose one:"
        offered = page.locator("#place-choices button").all_text_contents()
        assert offered == choices and {"Lexington, KY", "Lexington, MA", "Lexington, NC"} <= set(offered)
        assert page.locator("#results > li").count() == 0
        page.click("#place-choices button:text-is('Lexington, KY')")
        assert page.input_value("#place") == "Lexington, KY"
        found = searched(exports, "--near", "Lexington, KY", "--radius", "25")
        assert page.locator("#status").inner_text() == expected_status(found)
        assert page.locator("#place-choices button").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        context.close()


def test_nothing_near_shows_the_remote_groups_and_the_nearest_distance(browser, server, exports):  # noqa: F811
    found = searched(exports, "--near", "Hilo, HI", "--radius", "25")
    assert found["nearest_miles"] > 100
    context, page, errors = open_page(browser, server, 1024, 800)
    try:
        assert look_for(page, "Hilo, HI") == expected_status(found)
        assert set(page.locator("#results .badge").all_text_contents()) <= {"Online", "By phone"}
        assert Counter(every_name(page)) == Counter(r["name"] for r in found["results"])
        assert errors == []
    finally:
        context.close()


def test_show_more_and_everything_includes_organizations(browser, server, exports):  # noqa: F811
    everything = searched(exports)
    organizations = searched(exports, "--kind", "organization")
    assert organizations["total"] > 0 and everything["total"] > 2 * LIMIT
    context, page, errors = open_page(browser, server, 1024, 800)
    try:
        assert page.locator("#kind option:checked").inner_text() == "Everything"
        status = page.locator("#status").inner_text()
        assert status == f"{everything['total']} found. Showing the first {LIMIT}."
        assert page.locator("#results > li").count() == LIMIT
        assert page.locator("#more").inner_text() == f"Show {LIMIT} more"
        page.click("#more")
        assert page.locator("#results > li").count() == 2 * LIMIT
        names = every_name(page)
        assert len(names) == everything["total"] and not page.locator("#more").is_visible()
        assert Counter(names) == Counter(r["name"] for r in everything["results"])
        assert {r["name"] for r in organizations["results"]} <= set(names)
        page.select_option("#kind", "organization")
        assert sorted(result_names(page)) == sorted(r["name"] for r in organizations["results"])
        assert not page.locator("#more").is_visible()
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("place", ["lexington ky", "San Diego, CA"])
def test_the_day_filter_is_in_the_searchers_zone(browser, server, exports, place):  # noqa: F811
    context, page, errors = open_page(browser, server, 1024, 800)
    try:
        page.select_option("#attendance", "online")
        page.select_option("#day", "32")  # Saturday
        look_for(page, place)
        saturday = searched(exports, "--near", place, "--attendance", "online", "--day", "sat")
        assert Counter(every_name(page)) == Counter(r["name"] for r in saturday["results"])
        page.select_option("#day", "64")  # Sunday
        sunday = searched(exports, "--near", place, "--attendance", "online", "--day", "sun")
        assert Counter(every_name(page)) == Counter(r["name"] for r in sunday["results"])
        assert errors == []
    finally:
        context.close()


def test_a_late_pacific_meeting_is_on_lexingtons_sunday_on_the_page_too(exports):  # noqa: F811
    late = Counter(r["name"] for r in searched(exports, "--near", "lexington ky", "--attendance", "online",
                                              "--day", "sun")["results"])
    there = Counter(r["name"] for r in searched(exports, "--near", "San Diego, CA", "--attendance", "online",
                                               "--day", "sun")["results"])
    assert late != there  # the zone changes the answer, so the page test above tells the zones apart


def test_cards_show_the_meeting_on_both_clocks(browser, server, exports):  # noqa: F811
    found = searched(exports, "--near", "lexington ky", "--attendance", "online")
    context, page, errors = open_page(browser, server, 1024, 800)
    try:
        page.select_option("#attendance", "online")
        look_for(page, "lexington ky")
        cards = page.locator("#results > li")
        assert result_names(page)[:30] == [r["name"] for r in found["results"][:30]]
        both = 0
        for index, result in enumerate(found["results"][:30]):
            text = cards.nth(index).inner_text()
            if result["next_meeting_your_time"]:
                yours = datetime.fromisoformat(result["next_meeting_your_time"])
                assert f"{yours:%I:%M %p}".lstrip("0") + " your time" in text, result["name"]
                both += 1
            elif result["next_meeting_at"]:
                assert "your time" not in text, result["name"]
        assert both > 0
        assert errors == []
    finally:
        context.close()
