"""Pydantic models of a listing: as a parser read it, and as the directory exports it."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.schedule import ScheduleRule
from schemas.values import Attendance, GeoPrecision, Kind, Status


class ParsedListing(BaseModel):
    """One listing as a parser read it from a page, before normalization."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    source_key: str = Field(description="The source's own key for this listing, stable across runs.")
    kind: Kind
    organization: str
    name: str
    source_url: str = Field(description="The public page the listing was read from.")
    parent_key: str | None = Field(None, description="source_key of the parent in the same source.")
    description: str | None = None
    audiences: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    address: str | None = Field(None, description="The address as published, lines joined by newlines.")
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    timezone: str | None = None
    service_area: tuple[str, ...] = ()
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    registration_url: str | None = None
    conference_url: str | None = None
    conference_phone: str | None = None
    attendance: Attendance | None = None
    schedule_text: str | None = None
    schedule: tuple[ScheduleRule, ...] = Field((), description="Rules the source states outright.")
    meeting_types: tuple[str, ...] = Field((), description="Meeting Guide type codes (e.g. O, D, TC).")
    location_name: str | None = Field(None, description="Name of the meeting place (a church, a clinic).")
    meeting_group: str | None = Field(None, description="The group holding the meeting (a feed's `group`).")
    region: str | None = Field(None, description="The source's region of the meeting (a neighbourhood).")
    sub_region: str | None = Field(None, description="The source's sub-region, within `region`.")
    location_notes: str | None = Field(None, description="Notes on the meeting place (an entrance, parking).")
    source_updated: str | None = Field(None, description="When the source last updated it (UTC).")
    fetched_at: datetime | None = None
    content_sha256: str | None = None

    @field_validator("name", "source_key", "source_url")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        """Reject blank identity fields instead of inventing them."""
        if not value or not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class DirectoryRow(BaseModel):
    """One row of the exported directory (listings.csv / .parquet / .jsonl)."""

    listing_id: str = Field(description="Stable id of the listing (UUID derived from source and source_key).")
    entity_id: str | None = Field(None, description="The entity (real-world chapter or group) it belongs to.")
    kind: Kind = Field(description="organization, chapter, group, program or line.")
    organization: str = Field(description="The alliance the listing belongs to.")
    name: str = Field(description="Name as published, unescaped and trimmed.")
    parent: str | None = Field(None, description="listing_id of the chapter or organization it belongs to.")
    parent_name: str | None = Field(
        None, description="Name of that chapter or organization (its contact points are on its own row).")
    description: str | None = Field(None, description="Description as published.")
    audiences: list[str] = Field(default_factory=list, description="Who it is for (e.g. peers, family).")
    topics: list[str] = Field(default_factory=list, description="What it is about (e.g. depression).")
    attendance: Attendance = Field(description="How to attend.")
    location_name: str | None = Field(
        None, description="Where it meets or can be visited: the venue's name (a church, a library...), as "
                          "published or as the listing's own text states it.")
    street: str | None = Field(None, description="Street line(s) or PO box.")
    city: str | None = Field(None, description="City.")
    state: str | None = Field(None, description="Two-letter USPS state or territory code.")
    postal_code: str | None = Field(None, description="Five-digit ZIP code.")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    latitude: float | None = Field(None, description="WGS 84 latitude; see geo_precision.")
    longitude: float | None = Field(None, description="WGS 84 longitude; see geo_precision.")
    geo_precision: GeoPrecision = Field(description="How exact the point is.")
    timezone: str | None = Field(None, description="IANA time zone of the place.")
    service_area: list[str] = Field(default_factory=list, description="States served (USPS codes).")
    phone: str | None = Field(None, description="Organization phone, E.164.")
    email: str | None = Field(None, description="Organization email, lowercased.")
    website: str | None = Field(None, description="Website, canonical URL.")
    registration_url: str | None = Field(None, description="Where to register to get join details.")
    conference_url: str | None = Field(None, description="Join link, only where the source publishes it.")
    schedule_text: str | None = Field(None, description="Meeting schedule as published.")
    schedule: list[ScheduleRule] = Field(
        default_factory=list,
        description="When it meets: rules (freq, interval, byday, opens_at, closes_at, timezone) stated "
                    "by the source or read from schedule_text; in CSV a JSON array.")
    source: str = Field(description="Source that listed it (nami, dbsa, ...).")
    source_key: str = Field(description="The source's own key for the listing.")
    source_url: str = Field(description="Page the listing was read from.")
    fetched_at: datetime = Field(description="When that page was fetched (UTC).")
    content_sha256: str = Field(description="SHA-256 of the page body, as archived in the WARC.")
    first_seen: datetime = Field(description="First run that saw the listing (UTC).")
    last_seen: datetime = Field(description="Latest run that saw the listing (UTC).")
    status: Status = Field(description="active, inactive or unverified.")
    next_meeting_at: datetime | None = Field(
        None, description="Next meeting start after the export, ISO 8601 with the meeting's UTC offset.")
