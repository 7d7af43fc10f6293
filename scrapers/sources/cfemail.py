"""Emails hidden by Cloudflare's email protection (`data-cfemail`, /cdn-cgi/l/email-protection#...)."""

import re

from bs4 import Tag

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PROTECTED_LINK = "/cdn-cgi/l/email-protection"


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


def protected_email(tag: Tag) -> str | None:
    """The first email Cloudflare hid inside a tag: a `data-cfemail` span or an email-protection link."""
    for node in tag.find_all(attrs={"data-cfemail": True}):
        if email := decode_cfemail(str(node["data-cfemail"])):
            return email
    for anchor in tag.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        if PROTECTED_LINK + "#" in href and (email := decode_cfemail(href.split("#")[1])):
            return email
    return None
