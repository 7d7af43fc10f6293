"""The normalization functions registered in DuckDB (phones, emails, URLs, states, ZIPs, addresses)."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from warehouse import udfs


@pytest.mark.parametrize(
    ("raw", "e164", "extension"),
    [
        ("(907) 277-1300", "+19072771300", None),
        ("859.272.7891", "+18592727891", None),
        ("1-800-950-6264 ext. 2", "+18009506264", "2"),
        ("+44 20 7946 0958", "+442079460958", None),
        ("555-1212", None, None),  # too short to be a number: never guessed
        ("call us!", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_phones_to_e164(raw, e164, extension):
    assert udfs.e164(raw) == e164
    assert udfs.phone_extension(raw) == extension


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Info@NAMI-Anchorage.org", "info@nami-anchorage.org"),
        ("MAILTO:Help@DBSA.org?subject=Hi", "help@dbsa.org"),
        ("  family@example.org ", "family@example.org"),
        ("not an email", None),
        ("a@b", None),
        (None, None),
    ],
)
def test_emails_lowercased_and_checked(raw, clean):
    assert udfs.clean_email(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("www.NamiAK.org", "https://www.namiak.org/"),
        ("HTTPS://Example.ORG:443/a?b=1#top", "https://example.org/a?b=1"),
        ("http://example.org:8080", "http://example.org:8080/"),
        ("javascript:alert(1)", None),
        ("mailto:x@example.org", None),
        ("ftp://example.org/file", None),
        ("not a url", None),
    ],
)
def test_urls_canonical_and_http_only(raw, clean):
    assert udfs.clean_url(raw) == clean


@pytest.mark.parametrize(
    ("raw", "code"),
    [("Kentucky", "KY"), ("ky", "KY"), ("new-york", "NY"), ("district-of-columbia", "DC"),
     ("Puerto Rico", "PR"), ("ZZ", None), ("", None)],
)
def test_state_codes(raw, code):
    assert udfs.state_code(raw) == code


def test_zip5():
    assert udfs.zip5("40502-1234") == "40502"
    assert udfs.zip5("4050") is None
    assert udfs.zip5(None) is None


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("PO Box 1234\nAnchorage, AK 99501\nUnited States",
         ("PO Box 1234", "Anchorage", "AK", "99501")),
        ("1031 Winchester Rd, Suite 200\nLexington, KY 40505",
         ("1031 Winchester Rd, Suite 200", "Lexington", "KY", "40505")),
        ("Calle Loíza 1800\nSan Juan, PR 00911", ("Calle Loíza 1800", "San Juan", "PR", "00911")),
        ("123 Main St, Lexington, KY 40502", ("123 Main St", "Lexington", "KY", "40502")),
    ],
)
def test_addresses_split(address, parts):
    split = udfs.split_us_address(address)
    assert (split["street"], split["city"], split["state"], split["postal_code"]) == parts


def test_blank_address_splits_to_nothing():
    assert udfs.split_us_address("  \n ") is None


def test_clean_text_unescapes_and_strips_markup_and_control_characters():
    assert udfs.clean_text("NAMI Queens/Nassau &amp; <b>Friends</b>\x07 &#8217;s  ") == \
        "NAMI Queens/Nassau & Friends ’s"
    assert udfs.clean_text("   ") is None


def test_listing_ids_are_stable_uuids_from_source_and_key():
    first = udfs.listing_uuid("nami", "alaska/nami-anchorage")
    assert first == udfs.listing_uuid("nami", "alaska/nami-anchorage")
    assert first != udfs.listing_uuid("dbsa", "alaska/nami-anchorage")
    # Pinned: a change of namespace would silently re-key every listing ever published.
    assert first == "8b29f98b-391e-556b-8dce-d10986f57dbd"


@settings(max_examples=300, deadline=None)
@example("0@00--0.AA")  # a reserved "ab--" label: email-validator refuses it, so must the fast path
@example("info@xn--bcher-kva.example")  # Punycode is fine
@given(st.from_regex(r"[A-Za-z0-9._%+@-]{1,20}@[A-Za-z0-9.-]{1,20}\.[A-Za-z0-9]{1,5}", fullmatch=True))
def test_the_fast_email_path_agrees_with_email_validator(candidate):
    """Where the fast path says yes, email-validator says the same (lowercased) address."""
    from email_validator import EmailNotValidError, validate_email

    from warehouse.udfs import _plainly_valid

    try:
        expected = validate_email(candidate, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        expected = None
    assert udfs.clean_email(candidate) == expected
    if _plainly_valid(candidate):
        assert expected == candidate.lower()
