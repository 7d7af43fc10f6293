"""Allowed values of the directory's coded fields, with what each value means."""

from typing import Literal

Kind = Literal["organization", "chapter", "group", "line"]
KINDS: dict[str, str] = {
    "organization": "A national or state body (an alliance, a state organization).",
    "chapter": "A local affiliate or chapter.",
    "group": "A recurring support group or meeting.",
    "line": "A peer-run warmline: a phone, text or chat line with hours; not a crisis line.",
}

Attendance = Literal["in_person", "online", "hybrid", "phone", "unknown"]
ATTENDANCE: dict[str, str] = {
    "in_person": "Meets at a physical place.",
    "online": "Meets online (video); no physical place.",
    "hybrid": "Meets at a physical place and online at once.",
    "phone": "Meets by conference call.",
    "unknown": "The source does not say how to attend.",
}

GeoPrecision = Literal["rooftop", "source", "zip", "city", "state", "none"]
GEO_PRECISION: dict[str, str] = {
    "rooftop": "A geocoded street address.",
    "source": "Coordinates published by the source.",
    "zip": "The centre of the listing's ZIP code.",
    "city": "The centre of the listing's city (mean of its ZIP codes).",
    "state": "The centre of the listing's state (mean of its ZIP codes).",
    "none": "No coordinates.",
}

Status = Literal["active", "inactive", "unverified"]
STATUS: dict[str, str] = {
    "active": "Listed by its source in the latest successful run.",
    "inactive": "No longer listed by its source (kept, never deleted).",
    "unverified": "Not yet confirmed by a successful run of its source.",
}
