"""Emails hidden by Cloudflare's email protection (`data-cfemail`, /cdn-cgi/l/email-protection#...)."""

import re

from lxml import etree
from lxml.html import HtmlElement

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PROTECTED_LINK = "/cdn-cgi/l/email-protection"
_CFEMAILS = etree.XPath("descendant::*/@data-cfemail", smart_strings=False)
_HREFS = etree.XPath("descendant::a/@href", smart_strings=False)


def decode_cfemail(hex_string: str) -> str | None:
    """An email hidden by Cloudflare (first byte is the XOR key), None if malformed."""
    try:
        data = bytes.fromhex(hex_string.strip())
    except ValueError:
        return None
    if len(data) < 2:
        return None
    try:
        text = bytes(byte ^ data[0] for byte in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if EMAIL.fullmatch(text) else None


def protected_email(element: HtmlElement) -> str | None:
    """The first email Cloudflare hid inside an element: a `data-cfemail` span or an email-protection link."""
    for value in _CFEMAILS(element):
        if email := decode_cfemail(value):
            return email
    for href in _HREFS(element):
        href = href.strip()
        if PROTECTED_LINK + "#" in href and (email := decode_cfemail(href.split("#")[1])):
            return email
    return None
