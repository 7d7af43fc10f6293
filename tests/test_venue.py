"""Place and attendance from a listing's own text (warehouse/venue.py, place_listings.sql,
attendance_listings.sql), through the warehouse, the exports and the search command."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.test_exports import item, load
from warehouse import db, migrate
from warehouse.publish import export
from warehouse.venue import stated_place

# (description as a source publishes it, venue, street, attendance the listing must end with)
PHRASINGS = [
    # The sample's DBSA texts.
    ("For family members and friends of people living with depression or bipolar disorder.\n"
     "Tues/Thurs 6:30pm at St. Matthews Episcopal Church, 330 N. Hubbards Ln.",
     "St. Matthews Episcopal Church", "330 N. Hubbards Ln.", "in_person"),
    ("Meets every Monday, 7:00–8:30 p.m. at Central Christian Church, 205 E. Short St., Lexington. "
     "Free, confidential and peer-led.", "Central Christian Church", "205 E. Short St.", "in_person"),
    ("Meets Wednesdays 7pm at Asbury First United Methodist Church.",
     "Asbury First United Methodist Church", None, "in_person"),
    ("We meet Sundays at 2:30 PM at the Main Library.", "Main Library", None, "in_person"),
    ("Meets 2nd & 4th Tuesdays, 7-8:30 pm at Norton Commons Library. Walk-ins welcome.",
     "Norton Commons Library", None, "in_person"),
    ("Meets Wednesdays at 7 p.m. at the Santa Ana Public Library, 26 Civic Center Plaza.",
     "Santa Ana Public Library", "26 Civic Center Plaza", "in_person"),
    # New phrasings: a street alone, "in" a hall, "@", a time zone in brackets before the venue.
    ("Meets at 1200 Bardstown Road, Suite 4, Louisville, KY 40204 on Fridays.",
     None, "1200 Bardstown Road, Suite 4", "in_person"),
    ("Held in the Fellowship Hall of First Presbyterian Church on Thursdays.",
     "Fellowship Hall of First Presbyterian Church", None, "in_person"),
    ("Thursdays 6-7:30 PM @ Baptist Health Conference Room B, 1740 Nicholasville Rd., Lexington, KY 40503.",
     "Baptist Health Conference Room B", "1740 Nicholasville Rd.", "in_person"),
    ("Meets Mondays at 7 p.m. (Central Time) at Hope Center.", "Hope Center", None, "in_person"),
    # Online, phone, both.
    ("Meets Tuesdays on Zoom.", None, None, "online"),
    ("Meets at Grace Church and on Zoom.", "Grace Church", None, "hybrid"),
    ("Thursday evenings by conference call; register for the number.", None, None, "phone"),
    ("Groups meet weekly in person in Cincinnati and Florence, and online.", None, None, "hybrid"),
    ("No in-person meetings until further notice; join us by Zoom.", None, None, "online"),
    ("Meets at the Zoom Room every Friday.", None, None, "online"),  # a video room is no venue
    # The page says nothing about how to attend: unknown.
    ("Contact us for meeting location.", None, None, "unknown"),
    ("Meets monthly.", None, None, "unknown"),
    ("Sponsored by St. Mark's Church.", None, None, "unknown"),
    ("Thanks to our friends at Grace Lutheran Church for their donation.", None, None, "unknown"),
    ("We no longer meet at Grace Church.", None, None, "unknown"),
    ("Meets at 7 pm.", None, None, "unknown"),
    ("Our office is closed to walk-ins; call us for peer support and training schedules.", None, None,
     "unknown"),
    ("Seven weekly groups in Costa Mesa, Santa Ana and Laguna Hills. Call or email for the current "
     "schedule.", None, None, "unknown"),
    ("Location provided after registration.", None, None, "unknown"),
    ("Meets at Noon on Sundays at DBSA Lexington.", None, None, "unknown"),  # no place named
]


@pytest.mark.parametrize(("text", "venue", "street", "attendance"), PHRASINGS)
def test_the_place_a_text_states(text: str, venue: str | None, street: str | None, attendance: str) -> None:
    place = stated_place(text) or {}
    assert (place.get("location_name"), place.get("street")) == (venue, street)


def test_a_street_with_its_city_line_gives_city_state_and_zip() -> None:
    place = stated_place("Meets at 1200 Bardstown Road, Suite 4, Louisville, KY 40204 on Fridays.")
    assert (place["city"], place["state"], place["postal_code"]) == ("Louisville", "KY", "40204")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A warehouse holding one DBSA group per phrasing, a chapter with a street, a chapter with a PO
    box, and a Meeting Guide-like online meeting whose notes name its old hall (once per module)."""
    connection = db.connect(tmp_path_factory.mktemp("venue") / "w.duckdb")
    migrate.migrate(connection)
    groups = [item(source_key=f"g{n}", name=f"Group {n}", city="Lexington", state="KY", description=text)
              for n, (text, *_rest) in enumerate(PHRASINGS)]
    chapters = [
        item(source="nami", organization="NAMI", kind="chapter", source_key="ky/nami-lexington",
             name="NAMI Lexington", address="2200 Regency Road, Suite 120\nLexington, KY 40503"),
        item(source="nami", organization="NAMI", kind="chapter", source_key="ky/nami-box",
             name="NAMI Box", address="P.O. Box 123\nLexington, KY 40503"),
        item(source="nami", organization="NAMI", kind="organization", source_key="ky",
             name="NAMI Kentucky", address="1200 Shelbyville Road, Suite 300\nLouisville, KY 40243"),
        item(source="meetingguide", organization="AA", source_key="x/online", name="Online Noon",
             location_name="Online", city="Lexington", state="KY",
             description="Moved online. Formerly at Grace Church, 100 Main St. Online: Meeting ID 123"),
    ]
    at_zip = item(source_key="zip", name="Group at a ZIP", city="Lexington", state="KY",
                  description="Meets at 1740 Nicholasville Rd., Lexington, KY 40503 on Mondays at 6 pm.")
    load(connection, [*groups, *chapters, at_zip])
    yield connection
    connection.close()


def _listings(con) -> dict[str, dict]:
    cursor = con.execute("SELECT source_key, attendance, location_name, street, city, geo_precision "
                         "FROM listings")
    names = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_attendance_follows_what_the_text_says_and_unknown_only_when_it_says_nothing(warehouse) -> None:
    found = _listings(warehouse)
    got = [found[f"g{n}"]["attendance"] for n in range(len(PHRASINGS))]
    assert got == [attendance for *_text, attendance in PHRASINGS]
    assert sum(a == "unknown" for a in got) == 10


def test_the_stated_place_is_recorded_and_the_point_stays_at_the_city(warehouse) -> None:
    found = _listings(warehouse)
    church = found["g0"]
    assert church["location_name"] == "St. Matthews Episcopal Church"
    assert church["street"] == "330 N. Hubbards Ln."
    # No street geocoder offline: the point is the city's centre, and geo_precision says so.
    assert (church["city"], church["geo_precision"]) == ("Lexington", "city")
    # A ZIP the text gives with the listing's own city places the point at that ZIP.
    assert (found["zip"]["street"], found["zip"]["geo_precision"]) == ("1740 Nicholasville Rd.", "zip")
    # A street in another city than the listing's comes with its own city and ZIP.
    assert (found["g6"]["street"], found["g6"]["city"], found["g6"]["geo_precision"]) == (
        "1200 Bardstown Road, Suite 4", "Louisville", "zip")


def test_a_source_place_is_never_replaced_by_its_text(warehouse) -> None:
    online = _listings(warehouse)["x/online"]
    assert (online["location_name"], online["street"], online["attendance"]) == ("Online", None, "online")


def test_organizations_and_chapters_with_a_street_are_in_person(warehouse) -> None:
    found = _listings(warehouse)
    assert found["ky/nami-lexington"]["attendance"] == "in_person"
    assert found["ky"]["attendance"] == "in_person"
    assert found["ky/nami-box"]["attendance"] == "unknown"  # a PO box is no place to go


def test_search_in_person_near_a_zip_finds_the_chapters_and_the_groups_at_a_venue(
    warehouse, tmp_path_factory
) -> None:
    out: Path = tmp_path_factory.mktemp("venue-out") / "out"
    export.export_directory(warehouse, out, "r1", [])
    result = CliRunner().invoke(app, ["search", "--data", str(out), "--near", "40507", "--radius", "100",
                                      "--attendance", "in_person", "--limit", "0", "--format", "json"])
    assert result.exit_code == 0, result.output
    names = {r["name"] for r in json.loads(result.stdout)["results"]}
    in_person = {f"Group {n}" for n, (*_, attendance) in enumerate(PHRASINGS) if attendance == "in_person"}
    assert names == in_person | {"NAMI Lexington", "NAMI Kentucky", "Group at a ZIP"}
