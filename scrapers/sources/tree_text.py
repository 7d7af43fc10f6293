"""Text and classes of an lxml tree (Page.tree()) read as BeautifulSoup reads them from the same parse.

For the parsers of the big regular pages that read lxml directly: `text` is BeautifulSoup's
get_text(separator), `classes` its class list, `has_class` and `class_search` its `class_=` match.

BeautifulSoup's get_text leaves out comments and the text of <script>, <style>, <template>, <rt>
and <rp> (it files their strings as other kinds), and so does `text`. It also turns a string of
ASCII whitespace into " " or "\n"; `text` keeps it as parsed, which no caller can tell apart: each
one cleans whitespace runs or matches the text with `\\s*` after.
"""

import re
from collections.abc import Iterator

from lxml.html import HtmlElement

# Tags whose strings BeautifulSoup files apart (Script, Stylesheet, TemplateString, RubyText...).
APART = frozenset({"script", "style", "template", "rt", "rp"})


def text(element: HtmlElement, separator: str = "") -> str:
    """The element's text as BeautifulSoup's get_text(separator) gives it."""
    return separator.join(strings(element))


def strings(element: HtmlElement) -> Iterator[str]:
    """The element's strings in document order, as BeautifulSoup's `strings` yields them."""
    own = element.tag if element.tag in APART else None
    kind = own or next((a.tag for a in element.iterancestors() if a.tag in APART), None)
    return _strings(element, kind, own) if kind == own else iter(())


def _strings(element: HtmlElement, kind: str | None, wanted: str | None) -> Iterator[str]:
    """The strings of one kind under an element: its text, its children's, their tails (no comments)."""
    if element.text and kind == wanted:
        yield element.text
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions have a factory as tag
            inner = child.tag if child.tag in APART else kind
            if wanted is not None or inner is None:  # nothing under <script> is ever plain text again
                yield from _strings(child, inner, wanted)
        if child.tail and kind == wanted:
            yield child.tail


def classes(element: HtmlElement) -> list[str]:
    """The element's classes, split at whitespace as BeautifulSoup splits them."""
    return (element.get("class") or "").split()


def has_class(element: HtmlElement, name: str) -> bool:
    """True when one of the element's classes is `name` (BeautifulSoup's class_="name")."""
    return name in classes(element)


def class_search(element: HtmlElement, pattern: re.Pattern[str]) -> bool:
    """True when the pattern is found in one of the element's classes (BeautifulSoup's class_=pattern)."""
    return any(pattern.search(name) for name in classes(element))


def ancestor(element: HtmlElement, test) -> HtmlElement | None:
    """The nearest ancestor passing the test (BeautifulSoup's find_parent)."""
    return next((a for a in element.iterancestors() if test(a)), None)
