"""HTML to text (warehouse/html_text.py, the clean_text UDF): one parser pass, no tag, control or
format character survives, ordinary `<` and `&` are kept."""

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from warehouse.html_text import html_to_text
from warehouse.udfs import clean_text

TAG = re.compile(r"<[A-Za-z/!?]")  # what would open a tag, an end tag, a comment or a PI in HTML
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Markup-heavy text: tags, entities (escaped once, twice), controls, bidi and zero-width characters.
PIECES = st.sampled_from([
    "<", ">", "&", ";", "/", "!", "?", "=", '"', "'", " ", "\n", "script", "img", "b", "a", "x", "lt", "gt",
    "amp", "#60", "#x3C", "#x202E", "#0", "&lt;", "&gt;", "&amp;", "&amp;lt;", "<!--", "-->", "<![CDATA[",
    "]]>", "<textarea>", "<title>", "<plaintext>", "<style>", "\x00", "\x1b", "\x9b", *BIDI, *ZERO_WIDTH,
])
MARKUP = st.lists(PIECES, max_size=30).map("".join)
ORDINARY = st.text(alphabet=st.characters(whitelist_categories=("L", "N", "Zs"), blacklist_characters="<&"),
                   max_size=20)


def assert_clean(text: str | None) -> None:
    """No tag opener, no control (Cc) and no format (Cf: bidi, zero-width) character."""
    if text is None:
        return
    assert not TAG.search(text), text
    assert not [c for c in text if unicodedata.category(c) in ("Cc", "Cf")], text
    assert text == text.strip() and "  " not in text


@given(st.one_of(MARKUP, st.text()))
@example("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;")
@example("<textarea><b>x</b></textarea>")
@example("x</")
def test_no_tag_control_or_format_character_survives(value):
    assert_clean(html_to_text(value))


@given(st.lists(ORDINARY, min_size=1, max_size=4), st.sampled_from([" < ", " & ", " <= ", " & up <3 "]))
def test_ordinary_text_with_lt_and_amp_is_kept(words, joiner):
    value = joiner.join(words)
    assert html_to_text(value) == (" ".join(value.split()) or None)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Ages 18 < 30 & up", "Ages 18 < 30 & up"),
        ("AT&T; R&D", "AT&T; R&D"),
        ("Women&#8217;s Group &amp; Friends", "Women’s Group & Friends"),
        ("NAMI Queens/Nassau &amp; <b>Friends</b>\x07 &#8217;s  ", "NAMI Queens/Nassau & Friends ’s"),
        # Escaped twice: decoded once, the tag it spells is text, and its `<` cannot open a tag.
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "< script>alert(1)< /script>"),
        ("&amp;lt;script&amp;gt;alert(1)", "&lt;script&gt;alert(1)"),
        ("&#60;img src=x onerror=alert(1)&#62;", "< img src=x onerror=alert(1)>"),
        # A real tag goes, however it ends: unclosed, longer than 500 characters, a script's code.
        ("Meets Mondays <img src=x onerror=alert(1) x=", "Meets Mondays"),
        ('<a title="' + "A" * 600 + '">Long Tag Hall</a>', "Long Tag Hall"),
        ("<b>NAMI</b> <script>alert(1)</script>Juneau", "NAMI Juneau"),
        ("Hi<!-- a comment -->there", "Hi there"),
        # Bidi embeddings, overrides, isolates and marks, zero-width characters: removed, also as entities.
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("\u2066Group\u2069 \u200fA\u200b", "Group A"),
        ("&#x202E;rtl &#x200F;x", "rtl x"),
        ("a\x00b\x1b[31m", "a b [31m"),
        ("<b></b>", None),
        ("   ", None),
        (None, None),
    ],
)
def test_examples(raw, text):
    assert html_to_text(raw) == text == clean_text(raw)


def test_the_planes_read_hold_every_control_and_format_character_unicode_has():
    """The table read from three planes is the table read from all seventeen (this Python's Unicode)."""
    import sys

    from warehouse.html_text import INVISIBLE, _invisible_table

    assert _invisible_table([range(sys.maxunicode + 1)]) == INVISIBLE
    assert INVISIBLE[0xE0001] is None and INVISIBLE[0x110BD] is None  # a tag and a plane-1 format character
