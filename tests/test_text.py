"""Tests of the shared text helpers: whitespace, slugs, sentences and schedule phrases."""

import pytest

from scrapers.sources.text import (
    clean,
    has_time,
    has_weekday,
    is_schedule,
    is_schedule_only,
    link_url,
    schedule_sentences,
    schedule_text,
    sentences,
    slug_key,
    slugify,
    unique_key,
)


def test_clean_collapses_whitespace_and_nbsp() -> None:
    assert clean("  Meets\n\tevery\u00a0Monday \u200b ") == "Meets every Monday"
    assert clean(None) == ""


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("DBSA Lexington", "dbsa-lexington"),
        ("DBSA Columbus Women’s Circle", "dbsa-columbus-womens-circle"),
        ("DBSA Louisville Friends & Family Group", "dbsa-louisville-friends-family-group"),
        ("Grupo de Apoyo en Español", "grupo-de-apoyo-en-espanol"),
        ("Families for Care – Monday", "families-for-care-monday"),
        ("  SA (West Coast) ", "sa-west-coast"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    "text",
    ["Meets 2nd & 4th Tuesdays", "Tues/Thurs", "every Wed.", "Sat/Sun", "Thursday", "Mon-Fri"],
)
def test_weekday_phrases(text: str) -> None:
    assert has_weekday(text)


@pytest.mark.parametrize("text", ["Sun City", "Friends and family", "Wedding", "Monument", "Saturn", ""])
def test_not_weekdays(text: str) -> None:
    assert not has_weekday(text)


@pytest.mark.parametrize(
    "text", ["7-8:30 pm", "6:30pm", "3:00 PM ET", "1:00 p.m. Pacific", "7pm", "19:30", "noon"]
)
def test_time_phrases(text: str) -> None:
    assert has_time(text)


@pytest.mark.parametrize("text", ["call 859-555-0142", "7 amazing people", "ages 18-30", "2nd"])
def test_not_times(text: str) -> None:
    assert not has_time(text)


def test_is_schedule_needs_day_and_time() -> None:
    assert is_schedule("Sundays at 3:00 PM ET")
    assert is_schedule("Tuesday & Thursday 1:00 p.m. Pacific")
    assert not is_schedule("Sundays, online")
    assert not is_schedule("at 3:00 PM ET")


def test_is_schedule_only() -> None:
    assert is_schedule_only("Mondays at 8:00 PM ET")
    assert is_schedule_only("2nd and 4th Wednesdays, 7:00 – 8:30 p.m. Eastern Time")
    assert not is_schedule_only("SA Sunday Group – 3:00 PM ET")
    assert not is_schedule_only("3:00 PM ET")  # no day: a time, not a schedule


def test_sentences_keep_abbreviations_and_time_zones_together() -> None:
    text = (
        "For family members. Tues/Thurs 6:30pm at St. Matthews Church, 330 N. Hubbards Ln.\n"
        "Meets at 7 p.m. Eastern on Zoom. Walk-ins welcome."
    )
    assert sentences(text) == [
        "For family members.",
        "Tues/Thurs 6:30pm at St. Matthews Church, 330 N. Hubbards Ln.",
        "Meets at 7 p.m. Eastern on Zoom.",
        "Walk-ins welcome.",
    ]


def test_schedule_sentences_are_verbatim() -> None:
    text = "A group for young adults. Meets 2nd & 4th Tuesdays, 7-8:30 pm at the Library. Free."
    assert schedule_sentences(text) == ["Meets 2nd & 4th Tuesdays, 7-8:30 pm at the Library."]
    assert schedule_text(text) == "Meets 2nd & 4th Tuesdays, 7-8:30 pm at the Library."
    assert schedule_text("Contact us for meeting times.") is None
    assert schedule_text(None) is None


def test_unique_key_numbers_repeats() -> None:
    used: set[str] = set()
    assert [unique_key("sa-group", used) for _ in range(3)] == ["sa-group", "sa-group-2", "sa-group-3"]
    assert used == {"sa-group", "sa-group-2", "sa-group-3"}


def test_slug_key_never_blank() -> None:
    assert slug_key("DBSA Lexington") == "dbsa-lexington"
    key = slug_key("支援小组")
    assert key.startswith("h-") and len(key) == 14 and key == slug_key("支援小组")


def test_link_url_resolves_and_rejects() -> None:
    page = "https://sardaa.org/peer-support-groups/"
    assert link_url(page, " /call-registration/ ") == "https://sardaa.org/call-registration/"
    assert link_url(page, "https://sczaction.org/x/") == "https://sczaction.org/x/"
    assert link_url(page, "mailto:info@example.org") is None
    assert link_url(page, "javascript:void(0)") is None
    assert link_url(page, "http://[bad") is None
    # Broken markup or a bad decode gives no link; an inner space is encoded, as a browser does.
    assert link_url(page, 'https://sczaction.org/register"\ufffd/') is None
    assert link_url(page, "https://sczaction.org/<x>/") is None
    assert link_url(page, "https://sczaction.org/a\tb/") is None
    assert link_url(page, "/peer groups/") == "https://sardaa.org/peer%20groups/"
