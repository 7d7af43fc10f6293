r"""Reading an lxml page tree (Page.tree) as the BeautifulSoup parsers read theirs.

For the big regular pages parsed with lxml directly (one parse, no second tree): an element's text
as BeautifulSoup's get_text(separator) gives it, its classes as bs4 splits them, elements by class
as `find_all(class_=...)` matches them. tests/test_tree_text.py checks the text and classes of
every element of random markup against BeautifulSoup's.

BeautifulSoup's get_text leaves out comments and the text of <script>, <style>, <template>, <rt>
and <rp> (it files their strings as other kinds), and so does `get_text`. It also turns a string
of ASCII whitespace into " " or "\n"; `get_text` keeps it as parsed, which no caller can tell
apart: each one cleans whitespace runs or matches the text with `\s*` after. Searches by class are
absolute: content after a stray </html> lands in a second top-level element, and bs4 reads it too.
"""

import re
from collections.abc import Iterator
from functools import cache

from lxml import etree
from lxml.html import HtmlElement

# Elements whose text BeautifulSoup keeps apart from the page's text (bs4's string containers).
STRING_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})


def get_text(element: HtmlElement, separator: str = "") -> str:
    """The element's text as BeautifulSoup's get_text(separator) gives it."""
    return separator.join(strings(element))


def strings(element: HtmlElement) -> Iterator[str]:
    """The element's strings in document order, as BeautifulSoup's `strings` yields them."""
    own = element.tag if element.tag in STRING_CONTAINERS else None
    kind = own or next((a.tag for a in element.iterancestors() if a.tag in STRING_CONTAINERS), None)
    return _strings(element, kind, own) if kind == own else iter(())


def _strings(element: HtmlElement, kind: str | None, wanted: str | None) -> Iterator[str]:
    """The strings of one kind under an element: its text, its children's, their tails (no comments)."""
    if element.text and kind == wanted:
        yield element.text
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions have a factory as tag
            inner = child.tag if child.tag in STRING_CONTAINERS else kind
            if wanted is not None or inner is None:  # nothing under <script> is ever plain text again
                yield from _strings(child, inner, wanted)
        if child.tail and kind == wanted:
            yield child.tail


def is_hidden(element: HtmlElement) -> bool:
    """True if the element is (or is inside) a script, style, template, rt or rp element."""
    return any(e.tag in STRING_CONTAINERS for e in (element, *element.iterancestors()))


def classes(element: HtmlElement) -> list[str]:
    """The element's classes, split at whitespace as BeautifulSoup splits them."""
    return (element.get("class") or "").split()


def has_class(element: HtmlElement, name: str) -> bool:
    """True when one of the element's classes is `name` (BeautifulSoup's class_="name")."""
    return name in classes(element)


def class_search(element: HtmlElement, pattern: re.Pattern[str]) -> bool:
    """True when the pattern is found in one of the element's classes (BeautifulSoup's class_=pattern)."""
    return any(pattern.search(name) for name in classes(element))


@cache
def _classed(tag: str) -> etree.XPath:
    """Elements of a tag (or any) whose class attribute holds the text $name, in the whole document."""
    return etree.XPath(f"//{tag}[contains(@class, $name)]")


def with_class(root: HtmlElement, name: str, tag: str = "*") -> list[HtmlElement]:
    """Elements of the whole document (of a tag, or any) with this class among theirs, in document order."""
    return [e for e in _classed(tag)(root, name=name) if has_class(e, name)]


def first_with_class(root: HtmlElement, name: str, tag: str = "*") -> HtmlElement | None:
    """The first element with this class, or None."""
    return next(iter(with_class(root, name, tag)), None)


def ancestor(element: HtmlElement, test) -> HtmlElement | None:
    """The nearest ancestor passing the test (BeautifulSoup's find_parent)."""
    return next((a for a in element.iterancestors() if test(a)), None)


def elements(root: HtmlElement, *tags: str) -> Iterator[HtmlElement]:
    """Elements of these tags in the whole document, in document order."""
    for top in (root, *root.itersiblings()):
        yield from top.iter(*tags)
