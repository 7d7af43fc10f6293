"""Reading an lxml page tree (Page.tree) as the BeautifulSoup parsers read theirs.

For the big regular pages parsed with lxml directly: elements by class as `find_all(class_=...)`
matches them, and an element's text as `get_text` gives it (comments, scripts, styles and
<template>/<rt>/<rp> content left out). Searches are absolute: content after a stray </html>
lands in a second top-level element, and BeautifulSoup reads it too.
"""

from collections.abc import Iterator
from functools import cache

from lxml import etree
from lxml.html import HtmlElement

# Elements whose text BeautifulSoup keeps apart from the page's text (bs4's string containers).
STRING_CONTAINERS = ("script", "style", "template", "rt", "rp")
_HIDDEN = " or ".join(f"ancestor-or-self::{tag}" for tag in STRING_CONTAINERS)
_VISIBLE_TEXT = etree.XPath(f"descendant::text()[not({_HIDDEN})]", smart_strings=False)
_IS_HIDDEN = etree.XPath(f"boolean({_HIDDEN})")


@cache
def _classed(tag: str) -> etree.XPath:
    """Elements of a tag (or any) whose class attribute holds the text $name, in the whole document."""
    return etree.XPath(f"//{tag}[contains(@class, $name)]")


def with_class(root: HtmlElement, name: str, tag: str = "*") -> list[HtmlElement]:
    """Elements of the whole document (of a tag, or any) with this class among theirs, in document order."""
    return [e for e in _classed(tag)(root, name=name) if name in e.get("class", "").split()]


def first_with_class(root: HtmlElement, name: str, tag: str = "*") -> HtmlElement | None:
    """The first element with this class, or None."""
    return next(iter(with_class(root, name, tag)), None)


def get_text(element: HtmlElement, separator: str = "") -> str:
    """An element's text as BeautifulSoup's get_text(separator) gives it."""
    return separator.join(_VISIBLE_TEXT(element))


def is_hidden(element: HtmlElement) -> bool:
    """True if the element is (or is inside) a script, style, template, rt or rp element."""
    return _IS_HIDDEN(element)


def elements(root: HtmlElement, *tags: str) -> Iterator[HtmlElement]:
    """Elements of these tags in the whole document, in document order."""
    for top in (root, *root.itersiblings()):
        yield from top.iter(*tags)
