"""`supportdir search --near`: what people type, ambiguous cities, the nearest listing, "tonight" in the
searcher's zone."""

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flows.search_cli import _next_meeting
from schemas.search import Query, Result
from tests.sample_export import build_sample_export, cli
from tests.sample_export import search_json as as_json
from warehouse.search.gazetteer import PlaceInvalid, gazetteer, locate
from warehouse.search.index import build_index, read_exports
from warehouse.search.query import distance_text, find, your_time

PACIFIC = "America/Los_Angeles"
LEXINGTON_CHAPTERS = {"DBSA Lexington", "NAMI Lexington"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The offline sample, exported once for the module."""
    return build_sample_export(tmp_path_factory.mktemp("sample"))


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle miles, written out independently of warehouse/search/distance.py."""
    (lat1, lon1), (lat2, lon2) = (map(math.radians, a)), (map(math.radians, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(h))


# --- what people type ----------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "label"), [
    ("40502", "Lexington, KY (40502)"),
    ("40502-1234", "Lexington, KY (40502)"),
    ("Lexington, KY", "Lexington, KY"),
    ("Lexington KY", "Lexington, KY"),
    ("lexington ky", "Lexington, KY"),
    ("LEXINGTON,ky", "Lexington, KY"),
    ("Lexington, Kentucky", "Lexington, KY"),
    ("  lexington   kentucky ", "Lexington, KY"),
    ("38.04,-84.50", "38.04,-84.5"),
])
def test_every_way_of_naming_lexington_finds_its_chapters(sample, typed, label):
    found = as_json(sample, "--near", typed, "--radius", "25")
    nearby = [r for r in found["results"] if not r["remote"]]
    assert {r["name"] for r in nearby} == LEXINGTON_CHAPTERS
    assert found["place"] == label


def test_honolulu_and_abbreviated_saints_are_places(sample):
    found = as_json(sample, "--near", "Honolulu, HI", "--radius", "25")
    nearby = [r for r in found["results"] if not r["remote"]]
    assert found["place"] == "Honolulu, HI" and [r["city"] for r in nearby] == ["Honolulu"]
    assert locate("st. louis mo").label == locate("Saint Louis, Missouri").label == "Saint Louis, MO"
    assert locate("Kansas City, MO").timezone == "America/Chicago"


def test_a_city_point_is_the_mean_of_its_zip_points():
    table = gazetteer()
    lexington = table.cities.index(("Lexington", "KY"))
    rows = [i for i, city in enumerate(table.zip_city.tolist()) if city == lexington]
    mean = table.zip_points[rows].mean(axis=0) / 100
    place = locate("Lexington, KY")
    assert abs(place.lat - mean[0]) <= 0.005 and abs(place.lon - mean[1]) <= 0.005
    assert (place.lat, place.lon) == (round(place.lat, 2), round(place.lon, 2))  # the page's precision


def test_a_city_in_several_states_names_them_in_one_line(sample):
    code, stdout, stderr = cli("search", "--data", str(sample), "--near", "Lexington")
    assert code == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert "is a city in 18 states" in stderr
    for choice in ("Lexington, KY", "Lexington, MA", "Lexington, NC"):
        assert choice in stderr
    with pytest.raises(PlaceInvalid) as error:
        locate("lexington")
    assert "Lexington, KY" in error.value.choices and len(error.value.choices) == 18


@pytest.mark.parametrize(("typed", "message"), [
    ("Nowhere, KY", "no US city or ZIP code of that name"),
    ("Lexington, ZZ", "no US city or ZIP code of that name"),
    ("40502-12", "neither a five-digit ZIP code"),
    ("99999", "unknown ZIP code"),
])
def test_a_place_that_does_not_exist_is_one_line(sample, typed, message):
    code, stdout, stderr = cli("search", "--data", str(sample), "--near", typed)
    assert code == 2 and stdout == "" and message in stderr and len(stderr.strip().splitlines()) == 1


# --- nothing near: the online and phone groups, and how far the nearest is --------------------------

def test_nothing_within_the_radius_says_how_far_the_nearest_is(sample):
    found = as_json(sample, "--near", "Hilo, HI", "--radius", "25")
    hilo = locate("Hilo, HI")
    exported = read_exports(sample)
    in_person = [r for r in exported if r["status"] == "active" and r["attendance"] not in ("online", "phone")
                 and r.get("latitude") is not None]
    nearest = min(haversine((hilo.lat, hilo.lon), (r["latitude"], r["longitude"])) for r in in_person)
    assert 100 < nearest < 300  # Honolulu's Step Study, across the channel
    assert found["nearest_miles"] == math.floor(nearest + 0.5)
    assert found["results"] and all(r["remote"] for r in found["results"])
    joinable = [r for r in exported
                if r["status"] == "active" and r["attendance"] in ("online", "phone", "hybrid")]
    assert found["total"] == len(joinable)
    _, table, _ = cli("search", "--data", str(sample), "--near", "Hilo, HI", "--radius", "25")
    assert (f"No group within 25 miles of Hilo, HI; the nearest is {found['nearest_miles']:,.0f} miles away. "
            "These meet online or by phone:") in table
    near = as_json(sample, "--near", "40502")
    assert near["nearest_miles"] is None  # something is near: nothing to explain


# --- distance in words ------------------------------------------------------------------------------

def test_a_listing_placed_at_a_city_centre_says_in_the_city(sample):
    results = as_json(sample, "--near", "Louisville, KY", "--radius", "25")["results"]
    by_precision = {}
    for r in results:
        if not r["remote"]:
            by_precision.setdefault(r["geo_precision"], []).append(r)
    assert {r["distance_text"] for r in by_precision["city"]} == {"in Louisville"}
    assert all(r["distance_text"] == f"{r['distance_miles']:.1f} miles away"
               for r in by_precision.get("source", []))
    assert not any("0.0 miles" in r["distance_text"] for r in results)
    assert distance_text("city", 42.4, "Louisville", "KY") == "in Louisville, about 42 miles away"
    assert distance_text("state", 3.0, None, "KY") == "in KY"
    assert distance_text("rooftop", 3.04, "Louisville", "KY") == "3.0 miles away"


# --- tonight, in the searcher's zone ----------------------------------------------------------------

def starts_in(record: dict, zone: str, now: datetime) -> list[tuple[int, int]]:
    """(weekday 0-6, minute) of each rule's start read in `zone`, independently of the index."""
    found = []
    for rule in record.get("schedule") or []:
        if not rule["opens_at"]:
            continue
        hour, minute = int(rule["opens_at"][:2]), int(rule["opens_at"][3:5])
        local = now.astimezone(ZoneInfo(rule["timezone"]))
        for day in rule["byday"].split(","):
            code = day.lstrip("+-0123456789")
            weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(code)
            moment = (local + timedelta(days=(weekday - local.weekday()) % 7)).replace(
                hour=hour, minute=minute, second=0, microsecond=0)
            there = moment.astimezone(ZoneInfo(zone))
            found.append((there.weekday(), there.hour * 60 + there.minute))
    return found


def test_tonight_near_lexington_is_lexingtons_evening(sample):
    now = datetime.now(UTC)
    records = {r["listing_id"]: r for r in read_exports(sample)}
    evening = as_json(sample, "--near", "lexington ky", "--after", "17:00", "--before", "21:00")["results"]
    assert evening
    for result in evening:
        assert any(17 * 60 <= minute < 21 * 60
                   for _, minute in starts_in(records[result["listing_id"]], "America/New_York", now))
    # Online San Diego meetings at 6:30 PM Pacific are 9:30 PM in Lexington: not this evening there.
    pacific = {r["listing_id"] for r in records.values()
               if r["status"] == "active" and r["attendance"] == "online"
               and [(s["opens_at"], s["timezone"]) for s in r["schedule"]] == [("18:30", PACIFIC)]}
    assert pacific and not pacific & {r["listing_id"] for r in evening}
    in_their_zone = as_json(sample, "--after", "17:00", "--before", "21:00")["results"]
    assert pacific <= {r["listing_id"] for r in in_their_zone}  # no place: each meeting's own clock
    by_tz = as_json(sample, "--tz", "America/Los_Angeles", "--after", "17:00", "--before", "21:00")["results"]
    assert pacific <= {r["listing_id"] for r in by_tz}


def test_a_late_pacific_saturday_meeting_is_sunday_in_lexington(sample):
    late = next(r for r in read_exports(sample)
                if r["name"] == "Back to Basics" and r["attendance"] == "online"
                and r["schedule"][0]["byday"] == "SA" and r["schedule"][0]["opens_at"] == "21:00")
    sunday = {r["listing_id"] for r in as_json(sample, "--near", "40502", "--day", "sun")["results"]}
    saturday = {r["listing_id"] for r in as_json(sample, "--near", "40502", "--day", "sat")["results"]}
    assert late["listing_id"] in sunday and late["listing_id"] not in saturday
    there = {r["listing_id"] for r in as_json(sample, "--near", "San Diego, CA", "--day", "sat")["results"]}
    assert late["listing_id"] in there


def _record(name: str, rule: dict) -> dict:
    return {"listing_id": name, "name": name, "kind": "group", "organization": "X", "source": "x",
            "attendance": "online", "geo_precision": "none", "status": "active",
            "source_url": "https://x.example.org/", "last_seen": "2026-11-20T06:00:00Z", "schedule": [rule]}


def test_days_and_times_turn_with_the_zone():
    rule = {"freq": "WEEKLY", "interval": 1, "byday": "SU", "opens_at": "22:30", "closes_at": None,
            "timezone": "America/Los_Angeles"}
    eastern = {**rule, "timezone": "America/New_York"}
    index = build_index([_record("pacific", rule), _record("eastern", eastern)])
    december = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    def names(**filters) -> list[str]:
        return sorted(r.name for r in find(Query(now=december, **filters), index).results)

    assert names(days=("SU",), after="22:00") == ["eastern", "pacific"]  # each on its own clock
    assert names(days=("SU",), after="22:00", timezone="America/New_York") == ["eastern"]
    assert names(days=("MO",), before="02:00", timezone="America/New_York") == ["pacific"]  # 1:30 AM Monday
    assert names(days=("SU",), after="19:00", before="20:00", timezone="America/Los_Angeles") == ["eastern"]


def test_the_next_meeting_is_also_shown_on_the_searchers_clock(sample):
    results = as_json(sample, "--near", "lexington ky")["results"]
    shown = [r for r in results if r["next_meeting_your_time"]]
    assert shown
    for result in shown:
        theirs = datetime.fromisoformat(result["next_meeting_at"])
        yours = datetime.fromisoformat(result["next_meeting_your_time"])
        assert yours == theirs and yours.utcoffset() != theirs.utcoffset()
        assert yours.utcoffset() == yours.astimezone(ZoneInfo("America/New_York")).utcoffset()
    for result in results:
        if result["next_meeting_at"] and not result["next_meeting_your_time"]:
            theirs = datetime.fromisoformat(result["next_meeting_at"])
            assert theirs.utcoffset() == theirs.astimezone(ZoneInfo("America/New_York")).utcoffset()
    pacific = next(r for r in shown if datetime.fromisoformat(r["next_meeting_at"]).utcoffset()
                   == timedelta(hours=-8) and datetime.fromisoformat(r["next_meeting_at"]).hour < 21)
    theirs = datetime.fromisoformat(pacific["next_meeting_at"])
    said = _next_meeting(Result(**{**pacific, "next_meeting_at": theirs.astimezone(ZoneInfo(PACIFIC))}))
    assert said.startswith(f"{theirs:%a %b} {theirs.day}, ") and " PST · " in said
    yours = f"{theirs + timedelta(hours=3):%I:%M %p}".lstrip("0")
    assert said.endswith(f" · {yours} your time")
    moment = datetime(2026, 12, 3, 2, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert your_time(moment, "America/Los_Angeles") is None
    assert your_time(moment, "America/New_York").hour == 5


def test_an_unknown_time_zone_is_one_line(sample):
    code, stdout, stderr = cli("search", "--data", str(sample), "--near", "40502", "--tz", "Mars/Olympus")
    assert code == 2 and stdout == "" and "is not an IANA time zone" in stderr
