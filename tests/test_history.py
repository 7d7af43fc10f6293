"""History in the warehouse: versions, change reports, missed runs until inactive, the yield guard."""

from datetime import timedelta

import pytest

from tests.identity_helpers import FETCHED, build, listing, table
from warehouse import db
from warehouse.identity import history
from warehouse.udfs import listing_uuid

DAY = timedelta(days=1)
A = listing(source_key="a", name="NAMI Anchorage", phone="907-277-1300", address="Anchorage, AK 99524")
B = listing(source_key="b", name="NAMI Juneau", address="Juneau, AK 99801")
C = listing(source_key="c", name="NAMI Mat-Su", phone="907-376-0942", address="Wasilla, AK 99654")
D = listing(source_key="d", name="NAMI Fairbanks", phone="907-456-4800", address="Fairbanks, AK 99701")



def changes(con, run_id: str) -> set[tuple[str, str, tuple[str, ...]]]:
    """The run's change report as (change, source_key, fields)."""
    return {(c.change, c.source_key, tuple(c.fields)) for c in history.changes(con, run_id)}


def status(con, key: str) -> tuple[str, int]:
    row = table(con, "SELECT status, missed_runs FROM listings WHERE source_key = ?", [key])[0]
    return row["status"], row["missed_runs"]


def test_missing_twice_in_a_row_is_inactive_never_deleted_and_returns(con):
    build(con, "r1", FETCHED, {"nami": [A, B, C]})
    assert changes(con, "r1") == {("new", "a", ()), ("new", "b", ()), ("new", "c", ())}
    build(con, "r2", FETCHED + DAY, {"nami": [A, C]})
    assert changes(con, "r2") == {("missing", "b", ())}
    assert status(con, "b") == ("active", 1)
    build(con, "r3", FETCHED + 2 * DAY, {"nami": [A, C]})
    assert changes(con, "r3") == {("inactive", "b", ())}
    assert status(con, "b") == ("inactive", 2)
    build(con, "r4", FETCHED + 3 * DAY, {"nami": [A, C]})
    assert changes(con, "r4") == set()  # already inactive: reported once
    assert len(table(con, "SELECT * FROM listings")) == 3  # never deleted
    build(con, "r5", FETCHED + 4 * DAY, {"nami": [A, B, C]})
    assert changes(con, "r5") == {("returned", "b", ())}
    assert status(con, "b") == ("active", 0)
    ids = {r["source_key"]: r["listing_id"] for r in table(con, "SELECT * FROM listings")}
    assert ids["b"] == listing_uuid("nami", "b")
    assert db.failed_checks(con) == {}


def test_failed_or_quarantined_runs_never_count_as_missing(con):
    x = [listing("dbsa", source_key="x", name="DBSA X")]
    build(con, "r1", FETCHED, {"nami": [A, B, C, D], "dbsa": x})
    before = table(con, "SELECT * FROM listings ORDER BY listing_id")
    build(con, "r2", FETCHED + DAY, {"nami": None, "dbsa": x})
    outcomes = build(con, "r3", FETCHED + 2 * DAY, {"nami": [A], "dbsa": x})
    assert outcomes["nami"].status == "quarantined" and "1 listings, 4 in its last good run r1" in \
        outcomes["nami"].reason
    build(con, "r4", FETCHED + 3 * DAY, {"nami": [], "dbsa": x})
    after = table(con, "SELECT * FROM listings ORDER BY listing_id")
    nami_before = [r for r in before if r["source"] == "nami"]
    assert [r for r in after if r["source"] == "nami"] == nami_before  # untouched, all active
    assert {r["status"] for r in nami_before} == {"active"}
    dbsa = next(r for r in after if r["source"] == "dbsa")
    assert dbsa["last_seen"] == FETCHED + 3 * DAY  # the other source kept updating
    assert all(c.source == "dbsa" for run in ("r2", "r3", "r4") for c in history.changes(con, run))
    # The quarantined run's staged rows are kept for inspection.
    assert table(con, "SELECT source_key FROM staged_listings WHERE run_id = 'r3' AND source = 'nami'") == \
        [{"source_key": "a"}]


def test_a_field_that_stops_being_filled_quarantines_the_source(con):
    build(con, "r1", FETCHED, {"nami": [A, C, D]})
    phoneless = [x.model_copy(update={"phone": None}) for x in (A, C, D)]
    outcome = build(con, "r2", FETCHED + DAY, {"nami": phoneless})["nami"]
    assert outcome.status == "quarantined"
    assert "phone filled in 0% of listings, 100% in its last good run r1" in outcome.reason
    assert table(con, "SELECT status FROM run_sources WHERE run_id = 'r2'") == [{"status": "quarantined"}]
    assert {r["phone"] for r in table(con, "SELECT phone FROM listings")} == \
        {"+19072771300", "+19073760942", "+19074564800"}


def test_accept_drop_lets_a_real_drop_through(con):
    build(con, "r1", FETCHED, {"nami": [A, B, C, D]})
    outcome = build(con, "r2", FETCHED + DAY, {"nami": [A]}, accept=("nami",))["nami"]
    assert outcome.status == "ok" and outcome.reason.startswith("drop accepted (--accept-drop): 1 listings")
    assert changes(con, "r2") == {("missing", "b", ()), ("missing", "c", ()), ("missing", "d", ())}
    # The accepted run is the new baseline: one listing again is no drop.
    assert build(con, "r3", FETCHED + 2 * DAY, {"nami": [A]})["nami"].status == "ok"
    assert status(con, "c") == ("inactive", 2)


def test_a_changed_field_is_a_new_version_and_reported_by_name(con):
    build(con, "r1", FETCHED, {"nami": [A, B]})
    build(con, "r2", FETCHED + DAY, {"nami": [A, B]})
    assert changes(con, "r2") == set()  # the same content: no version, no change
    moved = A.model_copy(update={"phone": "907-277-9999", "address": "Eagle River, AK 99577"})
    build(con, "r3", FETCHED + 2 * DAY, {"nami": [moved, B]})
    (change,) = history.changes(con, "r3")
    assert change.change == "changed" and change.source_key == "a"
    assert change.fields == ["address_text", "city", "latitude", "longitude", "phone", "postal_code"]
    versions = history.versions(con, listing_uuid("nami", "a"))
    assert [(v.version, v.run_id) for v in versions] == [(1, "r1"), (2, "r3")]
    assert versions[0].content["phone"] == "+19072771300" and versions[1].content["phone"] == "+19072779999"
    assert versions[1].changed == change.fields
    assert len(history.versions(con, listing_uuid("nami", "b"))) == 1


def test_inactive_after_is_configurable(con):
    build(con, "r1", FETCHED, {"nami": [A, B]}, inactive_after=1)
    build(con, "r2", FETCHED + DAY, {"nami": [A]}, inactive_after=1)
    assert changes(con, "r2") == {("inactive", "b", ())}


def test_unknown_ids_are_one_clear_error(con):
    build(con, "r1", FETCHED, {"nami": [A]})
    with pytest.raises(history.UnknownListing, match="no listing 'nope'"):
        history.versions(con, "nope")
    with pytest.raises(history.UnknownRun, match="no run 'r9'"):
        history.check_run(con, "r9")


def test_a_vanished_listings_id_is_never_given_to_another_record(con):
    build(con, "r1", FETCHED, {"nami": [A, B]})
    build(con, "r2", FETCHED + DAY, {"nami": [A]})
    build(con, "r3", FETCHED + 2 * DAY, {"nami": [A]})
    newcomer = listing(source_key="b2", name="NAMI Juneau", address="Juneau, AK 99801")
    build(con, "r4", FETCHED + 3 * DAY, {"nami": [A, newcomer]})
    found = {r["source_key"]: r for r in table(con, "SELECT * FROM listings")}
    assert found["b"]["status"] == "inactive" and found["b2"]["status"] == "active"
    assert found["b2"]["listing_id"] != found["b"]["listing_id"]
    assert db.failed_checks(con) == {}
    # A row whose id no longer matches its versions' source record is caught by the data check.
    con.execute("UPDATE listings SET source_key = 'b3' WHERE source_key = 'b'")
    assert db.failed_checks(con) == {"checks/listings_ids_never_reused": 1}


def test_history_shows_each_change_as_old_to_new(con):
    from io import StringIO

    from rich.console import Console

    from flows.report import print_history
    build(con, "r1", FETCHED, {"nami": [A]})
    moved = A.model_copy(update={"phone": "907-277-9999", "address": "Eagle River, AK 99577"})
    build(con, "r2", FETCHED + DAY, {"nami": [moved]})
    listing_id = listing_uuid("nami", "a")
    first, second = history.versions(con, listing_id)
    assert first.changes == []
    changes = {c.field: (c.old, c.new) for c in second.changes}
    assert set(changes) == set(second.changed)
    assert changes["phone"] == ("+19072771300", "+19072779999")
    assert changes["city"] == ("Anchorage", "Eagle River")
    assert history.change_text(second.changes[second.changed.index("phone")]) == \
        "phone: +19072771300 → +19072779999"
    out = StringIO()
    print_history(Console(file=out, width=200), history.listing_state(con, listing_id),
                  history.versions(con, listing_id), history.listing_events(con, listing_id))
    shown = out.getvalue()
    assert "phone: +19072771300 → +19072779999" in shown and "city: Anchorage → Eagle River" in shown
    assert "first seen" in shown


def test_history_values_read_as_words():
    rule = {"freq": "WEEKLY", "interval": 1, "byday": "TU", "opens_at": "19:00", "closes_at": None,
            "timezone": "America/New_York"}
    change = history.FieldChange(field="schedule", old=[], new=[rule])
    assert history.change_text(change) == "schedule: (none) → Tuesdays, 7:00 PM (America/New_York)"
    topics = history.FieldChange(field="topics", old=["bipolar"], new=["bipolar", "family"])
    assert history.change_text(topics) == "topics: bipolar → bipolar, family"
    assert history.change_text(history.FieldChange(field="email", old="[name removed]", new=None)) == \
        "email: [name removed] → (none)"
