"""The matcher on its own: name preprocessing, pair rules, constrained clustering, the labelled set."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from benchmarks.dedup_eval import evaluate, load_pairs
from warehouse.identity.clustering import MAX_CONTACT_BLOCK, blocks_of, candidate_pairs, resolve
from warehouse.identity.matching import (
    Record,
    Thresholds,
    conflict,
    distinct_words,
    judge,
    name_tokens,
    site_key,
)

LIMITS = Thresholds()


def rec(listing_id: str, name: str, source: str = "nami", kind: str = "chapter", **fields) -> Record:
    return Record(listing_id=listing_id, source=source, kind=kind, name=name, **fields)


@pytest.mark.parametrize(("name", "tokens"), [
    ("NAMI Queens & Nassau", ("queens", "nassau")),
    ("National Alliance on Mental Illness of Greater Toledo, Inc.", ("toledo",)),
    ("Depression and Bipolar Support Alliance - Columbus Chapter", ("columbus",)),
    ("Mental Health America of St. Louis", ("st", "louis")),
    ("NAMI Saint Louis", ("st", "louis")),
    ("NAMI Mat-Su Families’ Network", ("mat", "su", "families", "network")),
    ("Grupo de Apoyo en Español", ("grupo", "de", "apoyo", "en", "espanol")),
    ("NAMI", ("nami",)),  # nothing but the alliance: the name is kept
])
def test_name_tokens(name, tokens):
    assert name_tokens(name) == tokens


def test_site_key_ignores_scheme_www_and_trailing_slash():
    assert site_key("https://www.NAMIfoxvalley.org/") == site_key("http://namifoxvalley.org") == \
        "namifoxvalley.org"
    assert site_key("https://www.facebook.com/groups/dbsa.fresno/") == "facebook.com/groups/dbsa.fresno"
    assert site_key(None) is None


def test_hard_conflicts_win_over_equal_names():
    group = rec("1", "DBSA Columbus", kind="group", city="Columbus", state="OH")
    chapter = rec("2", "DBSA Columbus", city="Columbus", state="OH")
    assert judge(group, chapter, LIMITS).rule == "conflict:kind"
    other_state = rec("3", "DBSA Columbus", city="Columbus", state="IN")
    assert judge(chapter, other_state, LIMITS).rule == "conflict:state"
    serving = rec("4", "DBSA Columbus", state="IN", service_area=("IN", "OH"))
    assert judge(chapter, serving, LIMITS).verdict == "same"
    monday = rec("5", "Serenity", source="meetingguide", kind="group", postal_code="40202",
                 slots=("WEEKLY/1/MO@19:00",))
    thursday = rec("6", "Serenity", source="meetingguide", kind="group", postal_code="40202",
                   slots=("WEEKLY/1/TH@19:00",))
    assert judge(monday, thursday, LIMITS).rule == "conflict:meeting_time"
    same_time = rec("7", "Serenity Group", source="meetingguide", kind="group", postal_code="40202",
                    slots=("WEEKLY/1/MO@19:00",))
    assert judge(monday, same_time, LIMITS).rule == "name_time"


def test_two_alliances_need_two_shared_contacts():
    nami = rec("1", "NAMI Pueblo", city="Pueblo", state="CO", phone="+17195452746")
    dbsa = rec("2", "DBSA Pueblo", source="dbsa", city="Pueblo", state="CO", phone="+17195452746")
    assert judge(nami, dbsa, LIMITS).verdict == "different"
    nami_site = rec("3", "NAMI Pueblo", city="Pueblo", state="CO", phone="+17195452746", website="https://p.org/")
    mha_site = rec("4", "NAMI Pueblo Inc", source="mha", city="Pueblo", state="CO", phone="+17195452746",
                   website="http://www.p.org")
    assert judge(nami_site, mha_site, LIMITS).rule == "cross_phone+website"


def test_a_shared_helpline_does_not_merge_different_names():
    juneau = rec("1", "NAMI Juneau", state="AK", phone="+18009506264")
    anchorage = rec("2", "NAMI Anchorage", state="AK", phone="+18009506264")
    assert judge(juneau, anchorage, LIMITS).verdict == "different"


def test_decisions_override_the_scorer_both_ways():
    a = rec("1", "NAMI Kenosha", city="Kenosha", state="WI")
    b = rec("2", "NAMI Kenosha Wellness Center", city="Kenosha", state="WI")
    assert judge(a, b, LIMITS).verdict == "review"
    assert judge(a, b, LIMITS, ("same", "note")).verdict == "same"
    c = rec("3", "NAMI Kenosha", city="Kenosha", state="WI", phone="+12625551234")
    d = rec("4", "NAMI Kenosha", city="Kenosha", state="WI", phone="+12625551234")
    assert judge(c, d, LIMITS).verdict == "same"
    assert judge(c, d, LIMITS, ("different", None)).verdict == "different"


def test_clusters_never_join_conflicting_listings_through_a_third():
    """B has no schedule, so A~B and B~C are both plausible, but A and C meet at different times."""
    a = rec("a", "Hope Group", source="meetingguide", kind="group", postal_code="78704",
            slots=("WEEKLY/1/MO@19:00",))
    b = rec("b", "Hope Group", source="meetingguide", kind="group", postal_code="78704")
    c = rec("c", "Hope Group", source="meetingguide", kind="group", postal_code="78704",
            slots=("WEEKLY/1/TH@19:00",))
    result = resolve([a, b, c], LIMITS)
    assert result.entity_of["a"] != result.entity_of["c"]
    assert result.entity_of["b"] in (result.entity_of["a"], result.entity_of["c"])
    assert any(p.rule.endswith("+cluster_conflict") and p.verdict == "review" for p in result.pairs)


def test_only_listings_sharing_a_block_are_compared():
    a = rec("a", "NAMI Lakeside", city="Lakeside", state="CA", postal_code="92040")
    b = rec("b", "NAMI Lakeside", city="Lakeside", state="AZ", postal_code="85929")
    assert not set(blocks_of(a)) & set(blocks_of(b))
    assert resolve([a, b], LIMITS).pairs == []


def test_entity_ids_are_stable_and_anchored_on_the_first_seen_listing():
    old = rec("z-old", "NAMI Tri-Valley", city="Pleasanton", state="CA", postal_code="94566",
              first_seen="2026-01-01T00:00:00Z")
    new = rec("a-new", "NAMI Tri Valley", city="Pleasanton", state="CA", postal_code="94566",
              first_seen="2026-06-01T00:00:00Z")
    alone = resolve([old], LIMITS).entity_of["z-old"]
    both = resolve([new, old], LIMITS).entity_of
    assert both["a-new"] == both["z-old"] == alone


def test_the_matcher_meets_the_bar_on_the_labelled_pairs():
    """benchmarks/dedup_pairs.jsonl: precision >= 0.98 and recall >= 0.9 on each half."""
    pairs = load_pairs()
    assert len(pairs) >= 60
    assert {p["label"] for p in pairs} == {"same", "different"}
    scores = evaluate(pairs, LIMITS)
    for half in ("tune", "holdout", "all"):
        assert scores[half].precision >= 0.98, (half, scores[half].wrong)
        assert scores[half].recall >= 0.9, (half, scores[half].wrong)


def test_groups_and_crowded_contacts_make_no_contact_blocks():
    """A group's shared email is no key; a home page on hundreds of chapters is no block."""
    group = rec("g", "Hope Group", kind="group", postal_code="78704", email="groups@dbsa.org")
    assert blocks_of(group) == ["zip3:787"]
    chapter = rec("c", "NAMI Lakeside", postal_code="92040", website="https://example.org/")
    assert "site:example.org" in blocks_of(chapter)
    crowd = [rec(f"c{n}", f"NAMI Lakeside x{n}", state="CA", website="https://example.org/")
             for n in range(MAX_CONTACT_BLOCK + 1)]
    assert candidate_pairs(crowd, 50) == set()
    assert len(candidate_pairs(crowd[:3], 50)) == 3  # a small shared-site block is still compared


def test_pairs_a_conflict_refuses_are_never_candidates():
    """Same city and name: a chapter and a group, or groups in two ZIPs, are not judged at all."""
    chapter = rec("c", "Hope Lakeside", city="Lakeside", state="CA", postal_code="92040")
    group = rec("g", "Hope Lakeside", kind="group", city="Lakeside", state="CA", postal_code="92040")
    other_zip = rec("z", "Hope Lakeside", kind="group", city="Lakeside", state="CA", postal_code="92041")
    no_zip = rec("n", "Hope Lakeside", kind="group", city="Lakeside", state="CA")
    place = {"kind": "group", "city": "Lakeside", "state": "CA"}
    monday = rec("m", "Hope Lakeside", **place, slots=("WEEKLY/1/MO@19:00",))
    tuesday = rec("t", "Hope Lakeside", **place, slots=("WEEKLY/1/TU@19:00",))
    listed = [chapter, group, other_zip, no_zip, monday, tuesday]
    pairs = {frozenset((listed[i].listing_id, listed[j].listing_id)) for i, j in candidate_pairs(listed, 50)}
    assert pairs == {frozenset(pair) for pair in ("gn", "zn", "gm", "gt", "zm", "zt", "nm", "nt")}
    for a, b in (("c", "g"), ("g", "z"), ("m", "t")):
        assert judge(*(r for r in listed if r.listing_id in (a, b)), LIMITS).verdict == "different"


def test_names_a_telling_word_sets_apart_are_never_candidates_unless_a_person_decided():
    """North and South: not judged, not kept as pairs; a person's 'same' still counts."""
    place = {"kind": "group", "city": "Lakeside", "state": "CA", "postal_code": "92040"}
    north = rec("n", "Hope North Lakeside", **place)
    south = rec("s", "Hope South Lakeside", **place)
    plain = rec("p", "Hope Lakeside", **place)
    again = rec("q", "Hope North Lakeside", **place)
    listed = [north, south, plain, again]
    pairs = {frozenset((listed[i].listing_id, listed[j].listing_id)) for i, j in candidate_pairs(listed, 50)}
    assert pairs == {frozenset("nq")}
    assert judge(north, south, LIMITS).rule == "distinct_words"
    decided = resolve(listed, LIMITS, {("n", "s"): ("same", "one group, renamed")})
    assert {(p.left_id, p.right_id, p.rule) for p in decided.pairs} == {("n", "q", "name_zip"),
                                                                       ("n", "s", "decision")}
    entity = decided.entity_of
    assert entity["n"] == entity["s"] == entity["q"] != entity["p"]


WORDS = ("hope", "serenity", "lakeside", "recovery", "family", "circle", "north", "tuesday", "2")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["group", "chapter"]), st.sampled_from(["", "78704", "78705"]),
                          st.sampled_from([(), ("WEEKLY/1/MO@19:00",), ("WEEKLY/1/TU@19:00",)]),
                          st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)), max_size=25))
def test_candidates_are_every_pair_of_a_block_no_conflict_or_word_refuses_and_alike_enough(listed):
    """Blocking by parts finds exactly the pairs a comparison of every member with every other would."""
    records = [rec(str(n), " ".join(words), kind=kind, city="Austin", state="TX",
                   postal_code=zip_code or None, slots=slots)
               for n, (kind, zip_code, slots, words) in enumerate(listed)]
    every = {(i, j) for i in range(len(records)) for j in range(i + 1, len(records))
             if conflict(records[i], records[j]) is None and not distinct_words(records[i], records[j])
             and fuzz.token_set_ratio(records[i].key_name, records[j].key_name) >= 50}
    assert candidate_pairs(records, 50) == every
