"""Resolve in the warehouse: entities over sources, the best-source rule, review export, decisions."""

import csv
import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from tests.identity_helpers import FETCHED, build, listing, table
from warehouse import db
from warehouse.identity.clustering import ENTITY_NAMESPACE, DecisionsInvalid, load_decisions
from warehouse.publish import export
from warehouse.udfs import listing_uuid

DAY = timedelta(days=1)
# One affiliate of both alliances: the NAMI page and the MHA page share phone and website.
NAMI_FOX = listing("nami", source_key="wi/fox", name="NAMI Fox Valley", phone="(920) 734-0230",
                   website="namifoxvalley.org", address="Appleton, WI 54911")
MHA_FOX = listing("mha", source_key="fox-valley", name="NAMI Fox Valley, Inc.", phone="920.734.0230",
                  website="https://www.namifoxvalley.org/", email="info@namifoxvalley.org",
                  address="1802 Lawe St\nAppleton, WI 54915", description="Support and education.")
# The same meeting in an aggregated feed: lower rank than the alliance's own page.
FEED_FOX = listing("meetingguide", source_key="feed-1/fox", name="NAMI Fox Valley", phone="920-734-0230",
                   website="http://namifoxvalley.org", address="Appleton, WI 54911", email="feed@example.org")
# Near names in one city: the review band.
KENOSHA = listing("nami", source_key="wi/kenosha", name="NAMI Kenosha", address="Kenosha, WI 53140")
KENOSHA_2 = listing("nami", source_key="wi/kenosha-fn", name="NAMI Kenosha Wellness Center",
                    address="Kenosha, WI 53144")
OTHER = listing("dbsa", source_key="madison", name="DBSA Madison", address="Madison, WI 53703")



def entity_of(con, source: str, key: str) -> str:
    return table(con, "SELECT entity_id FROM listings WHERE listing_id = ?", [listing_uuid(source, key)])[0][
        "entity_id"]


def test_one_affiliate_on_two_alliance_sites_is_one_entity_with_a_crosswalk(con):
    build(con, "r1", FETCHED, {"nami": [NAMI_FOX], "mha": [MHA_FOX], "dbsa": [OTHER]})
    fox = entity_of(con, "nami", "wi/fox")
    assert fox == entity_of(con, "mha", "fox-valley") != entity_of(con, "dbsa", "madison")
    walk = table(con, "SELECT source, source_key, match_rule FROM entity_crosswalk WHERE entity_id = ? "
                      "ORDER BY source", [fox])
    assert walk == [{"source": "mha", "source_key": "fox-valley", "match_rule": "cross_phone+website"},
                    {"source": "nami", "source_key": "wi/fox", "match_rule": "cross_phone+website"}]
    anchor = min(listing_uuid("nami", "wi/fox"), listing_uuid("mha", "fox-valley"))
    assert fox == str(uuid.uuid5(ENTITY_NAMESPACE, anchor))
    assert len(table(con, "SELECT * FROM entities")) == 2
    assert db.failed_checks(con) == {}


def test_entity_fields_come_from_the_best_source_then_the_most_recent(con):
    build(con, "r1", FETCHED, {"nami": [NAMI_FOX], "meetingguide": [FEED_FOX]})
    build(con, "r2", FETCHED + DAY, {"mha": [MHA_FOX], "meetingguide": [FEED_FOX]})
    (row,) = table(con, "SELECT * FROM entities")
    # mha and nami rank 1 (own sites); mha was seen last, so it is the best member.
    assert row["primary_listing_id"] == listing_uuid("mha", "fox-valley")
    assert row["name"] == "NAMI Fox Valley, Inc." and row["description"] == "Support and education."
    assert (row["street"], row["postal_code"]) == ("1802 Lawe St", "54915")
    # The feed (rank 2) had an email too, but the best member's wins; website from the best that has one.
    assert row["email"] == "info@namifoxvalley.org" and row["website"] == "https://www.namifoxvalley.org/"
    assert row["members"] == 3 and row["sources"] == ["meetingguide", "mha", "nami"]
    assert row["first_seen"] == FETCHED and row["last_seen"] == FETCHED + DAY and row["status"] == "active"
    build(con, "r3", FETCHED + 2 * DAY, {"meetingguide": [FEED_FOX.model_copy(update={"email": None})]})
    (row,) = table(con, "SELECT * FROM entities")
    assert row["email"] == "info@namifoxvalley.org"  # a field the best member has stays its


def test_two_builds_give_the_same_entities(con):
    sources = {"nami": [NAMI_FOX, KENOSHA, KENOSHA_2], "mha": [MHA_FOX], "dbsa": [OTHER]}
    build(con, "r1", FETCHED, sources)
    first = table(con, "SELECT listing_id, entity_id FROM listings ORDER BY listing_id")
    build(con, "r2", FETCHED + DAY, sources)
    assert table(con, "SELECT listing_id, entity_id FROM listings ORDER BY listing_id") == first
    # A newcomer joining an entity does not change its id (the anchor is the first seen).
    build(con, "r3", FETCHED + 2 * DAY, {"meetingguide": [FEED_FOX]})
    assert entity_of(con, "meetingguide", "feed-1/fox") == entity_of(con, "nami", "wi/fox") == \
        next(r["entity_id"] for r in first if r["listing_id"] == listing_uuid("nami", "wi/fox"))


def review_rows(con, tmp_path: Path, run_id: str) -> list[dict]:
    out = tmp_path / f"out-{run_id}"
    export.export_directory(con, out, run_id, [])
    with (out / "review.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_review_lists_the_uncertain_pair_and_a_same_decision_merges_it(con, tmp_path):
    build(con, "r1", FETCHED, {"nami": [KENOSHA, KENOSHA_2, OTHER]})
    (row,) = review_rows(con, tmp_path, "r1")
    left, right = sorted([listing_uuid("nami", "wi/kenosha"), listing_uuid("nami", "wi/kenosha-fn")])
    assert (row["left_listing_id"], row["right_listing_id"]) == (left, right)
    assert 70 <= float(row["score"]) < 88 and row["decision"] == ""
    assert entity_of(con, "nami", "wi/kenosha") != entity_of(con, "nami", "wi/kenosha-fn")
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("left_listing_id,right_listing_id,decision,note\n"
                         f"{right},{left},same,the center is the affiliate's office\n", encoding="utf-8")
    build(con, "r2", FETCHED + DAY, {"nami": [KENOSHA, KENOSHA_2, OTHER]},
          decisions=load_decisions(decisions))
    assert entity_of(con, "nami", "wi/kenosha") == entity_of(con, "nami", "wi/kenosha-fn")
    assert review_rows(con, tmp_path, "r2") == []
    assert table(con, "SELECT rule, decided, note FROM match_pairs WHERE verdict = 'same'") == \
        [{"rule": "decision", "decided": "same", "note": "the center is the affiliate's office"}]


def test_a_different_decision_splits_a_deterministic_match(con, tmp_path):
    build(con, "r1", FETCHED, {"nami": [NAMI_FOX], "mha": [MHA_FOX], "meetingguide": [FEED_FOX]})
    assert entity_of(con, "nami", "wi/fox") == entity_of(con, "mha", "fox-valley")
    nami, mha, feed = (listing_uuid(*k) for k in (("nami", "wi/fox"), ("mha", "fox-valley"),
                                                  ("meetingguide", "feed-1/fox")))
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("left_listing_id,right_listing_id,decision,note\n"
                         f"{nami},{mha},different,two boards since 2025\n", encoding="utf-8")
    build(con, "r2", FETCHED + DAY, {"nami": [NAMI_FOX], "mha": [MHA_FOX], "meetingguide": [FEED_FOX]},
          decisions=load_decisions(decisions))
    # The feed listing matches both, but may join only one: the person's 'different' holds.
    assert entity_of(con, "nami", "wi/fox") != entity_of(con, "mha", "fox-valley")
    assert entity_of(con, "meetingguide", "feed-1/fox") in (entity_of(con, "nami", "wi/fox"),
                                                            entity_of(con, "mha", "fox-valley"))
    assert table(con, "SELECT left_id, right_id, verdict FROM match_pairs WHERE decided = 'different'") == \
        [{"left_id": min(nami, mha), "right_id": max(nami, mha), "verdict": "different"}]
    assert feed not in (nami, mha)


@pytest.mark.parametrize(("text", "message"), [
    ("left,right\nx,y\n", "needs the columns decision, left_listing_id, right_listing_id"),
    ("left_listing_id,right_listing_id,decision\nx,y,maybe\n", "line 2: needs two different listing ids"),
    ("left_listing_id,right_listing_id,decision\nx,x,same\n", "line 2"),
    ("left_listing_id,right_listing_id,decision\nx,,same\n", "line 2"),
])
def test_a_malformed_decisions_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "decisions.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DecisionsInvalid, match=message) as raised:
        load_decisions(path)
    assert str(path) in str(raised.value)
    assert path.read_text(encoding="utf-8") == text  # nothing lost


def test_identity_exports_are_valid_and_listings_carry_their_entity(con, tmp_path):
    from frictionless import Package

    build(con, "r1", FETCHED, {"nami": [NAMI_FOX, KENOSHA, KENOSHA_2], "mha": [MHA_FOX], "dbsa": [OTHER]})
    out = tmp_path / "out"
    counts = export.export_directory(con, out, "r1", []).files
    assert counts["entities.csv"] == counts["entities.jsonl"] == counts["entities.parquet"] == 4
    assert counts["review.csv"] == 1 and counts["changes.jsonl"] == 5
    package = Package(str(out / "datapackage.json"))
    for name in ("entities-csv", "review-csv", "listings-csv"):
        report = package.get_resource(name).validate()
        assert report.valid, (name, report.flatten(["rowNumber", "fieldName", "type", "note"]))
    listings = [json.loads(line) for line in (out / "listings.jsonl").read_text().splitlines()]
    entities = {json.loads(line)["entity_id"]: json.loads(line)
                for line in (out / "entities.jsonl").read_text().splitlines()}
    assert all(row["entity_id"] in entities for row in listings)
    assert {lid for e in entities.values() for lid in e["listing_ids"]} == {r["listing_id"] for r in listings}
    changes = [json.loads(line) for line in (out / "changes.jsonl").read_text().splitlines()]
    assert {(c["change"], c["source_key"]) for c in changes} == {
        ("new", "wi/fox"), ("new", "wi/kenosha"), ("new", "wi/kenosha-fn"), ("new", "fox-valley"),
        ("new", "madison")}


def test_the_family_a_source_says_decides_whether_one_shared_contact_joins(con):
    from warehouse.identity.traits import record_traits

    nami = listing("nami", source_key="wi/fox", name="NAMI Fox Valley", phone="(920) 734-0230")
    mha = listing("mha", source_key="fox", name="Fox Valley Mental Health", phone="920.734.0230")
    build(con, "r1", FETCHED, {"nami": [nami], "mha": [mha]})
    assert entity_of(con, "nami", "wi/fox") != entity_of(con, "mha", "fox")  # two families: a phone is few
    record_traits(con, {"nami": (1, "alliance"), "mha": (1, "alliance")})  # as a build writes them
    build(con, "r2", FETCHED + DAY, {"nami": [nami], "mha": [mha]})
    assert entity_of(con, "nami", "wi/fox") == entity_of(con, "mha", "fox")
    [walk] = table(con, "SELECT match_rule FROM entity_crosswalk WHERE match_rule IS NOT NULL GROUP BY ALL")
    assert walk["match_rule"] == "phone"


def test_the_rank_a_source_says_picks_the_entitys_fields(con):
    from warehouse.identity.traits import record_traits

    build(con, "r1", FETCHED, {"nami": [NAMI_FOX], "meetingguide": [FEED_FOX]})
    assert table(con, "SELECT email FROM entities") == [{"email": "feed@example.org"}]  # nami has none
    (row,) = table(con, "SELECT primary_listing_id FROM entities")
    assert row["primary_listing_id"] == listing_uuid("nami", "wi/fox")  # rank 1 before the feed's 2
    record_traits(con, {"meetingguide": (1, "meetingguide"), "nami": (2, "nami")})
    (row,) = table(con, "SELECT primary_listing_id FROM entities")
    assert row["primary_listing_id"] == listing_uuid("meetingguide", "feed-1/fox")
