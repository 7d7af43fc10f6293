"""What a card adds to a listing's row: whom to contact (its own points, else its parent's) and what it is.

Used by `supportdir search` (warehouse/search/query.py) and the page (warehouse/search/site.py), so both
name the same chapter for a group with no contact of its own.
"""

from collections.abc import Mapping
from typing import Any

from schemas.search import ParentContact
from warehouse.publish.attend import CONTACT_FIELDS, Record, contact_or_parent_text, contact_parent


def result_contact(record: Record, by_id: Mapping[str, Record]) -> dict[str, Any]:
    """A search result's `contact` (one point a line) and `parent_contact` (when it has none of its own)."""
    parent = contact_parent(record, by_id)
    through = None
    if parent is not None:
        through = ParentContact(listing_id=parent["listing_id"], name=parent["name"], kind=parent["kind"],
                                **{field: parent.get(field) for field in CONTACT_FIELDS})
    return {"contact": contact_or_parent_text(record, parent, "\n"), "parent_contact": through}


def page_card(record: Record, by_id: Mapping[str, Record]) -> dict[str, Any]:
    """The page's card extras, compactly: `desc` (the description) and `via` (the parent to contact)."""
    extras: dict[str, Any] = {}
    if record.get("description"):
        extras["desc"] = record["description"]
    parent = contact_parent(record, by_id)
    if parent is not None:
        via = {"name": parent["name"], "kind": parent["kind"], "phone": parent.get("phone"),
               "email": parent.get("email"), "web": parent.get("website")}
        extras["via"] = {key: value for key, value in via.items() if value}
    return extras
