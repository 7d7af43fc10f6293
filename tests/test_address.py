"""The one US address splitter (schemas/address.py): regex fast path, usaddress fallback, its parameters."""

from schemas.address import place_from_lines, place_from_one_line, state_code
from scrapers.sources.meetingguide import _place
from warehouse import udfs

PLAIN = ["1031 Winchester Rd, Suite 200", "Lexington, KY 40505"]
UNPLAIN = ["PO Box 52", "Hazard KY 41701"]  # no comma before the state: not the plain city line


def test_fast_path_reads_the_plain_city_line():
    assert place_from_lines([*PLAIN, "USA"]) == {
        "country": "US", "address": "\n".join(PLAIN), "street": "1031 Winchester Rd, Suite 200",
        "city": "Lexington", "state": "KY", "postal_code": "40505"}


def test_usaddress_reads_what_the_fast_path_cannot():
    assert place_from_lines(UNPLAIN) == {"address": "\n".join(UNPLAIN), "street": "PO Box 52",
                                         "city": "Hazard", "state": "KY", "postal_code": "41701"}


def test_no_fallback_leaves_an_unplain_address_unsplit():
    assert place_from_lines(UNPLAIN, fallback=False) == {"address": "\n".join(UNPLAIN)}


def test_no_fallback_for_an_address_abroad():
    assert place_from_lines(["10 Downing St", "London SW1A 2AA", "United Kingdom"]) == {
        "country": "GB", "address": "10 Downing St\nLondon SW1A 2AA"}


def test_parsers_path_uses_the_fallback():
    line = "1500 Spenard Road Anchorage AK 99503"
    split = {"street": "1500 Spenard Road", "city": "Anchorage", "state": "AK", "postal_code": "99503"}
    assert place_from_one_line(line) == {"address": line, **split}
    assert _place({"formatted_address": line}) == {"address": line, **split}  # a Meeting Guide feed


def test_the_udf_splits_the_same_way():
    for lines in (PLAIN, UNPLAIN):
        place = place_from_lines(lines)
        expected = {key: place.get(key) for key in ("street", "city", "state", "postal_code")}
        assert udfs.split_us_address("\n".join(lines)) == expected


def test_state_names_by_sound_only_when_asked():
    assert state_code("Kentuky") is None
    assert state_code("Kentuky", sound_alike=True) == udfs.state_code("Kentuky") == "KY"
    assert state_code("new-york") == "NY"
