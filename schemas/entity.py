"""Models of the identity exports: entities, the review list of uncertain pairs, the change report."""

from datetime import datetime

from pydantic import BaseModel, Field

from schemas.values import Attendance, GeoPrecision, Kind, Status


class EntityRow(BaseModel):
    """One real-world chapter, group or organization, merged from its listings (entities.csv ...)."""

    entity_id: str = Field(description="Stable id of the entity (UUID derived from its first listing).")
    kind: Kind = Field(description="organization, chapter, group, program or line.")
    name: str = Field(description="Name, from the best listing.")
    organization: str = Field(description="The alliance of the best listing.")
    organizations: list[str] = Field(default_factory=list, description="Every alliance that lists it.")
    attendance: Attendance = Field(description="How to attend, from the best listing that says.")
    description: str | None = Field(None, description="Description, from the best listing that has one.")
    street: str | None = Field(None, description="Street line(s) or PO box of the place.")
    city: str | None = Field(None, description="City of the place.")
    state: str | None = Field(None, description="Two-letter USPS code of the place.")
    postal_code: str | None = Field(None, description="Five-digit ZIP code of the place.")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    latitude: float | None = Field(None, description="WGS 84 latitude; see geo_precision.")
    longitude: float | None = Field(None, description="WGS 84 longitude; see geo_precision.")
    geo_precision: GeoPrecision = Field(description="How exact the point is.")
    timezone: str | None = Field(None, description="IANA time zone of the place.")
    service_area: list[str] = Field(default_factory=list, description="States served, over all listings.")
    phone: str | None = Field(None, description="Phone, E.164, from the best listing that has one.")
    email: str | None = Field(None, description="Email, from the best listing that has one.")
    website: str | None = Field(None, description="Website, from the best listing that has one.")
    registration_url: str | None = Field(None, description="Where to register, from the best listing.")
    conference_url: str | None = Field(None, description="Join link, only where a source publishes it.")
    schedule_text: str | None = Field(None, description="Schedule as published by the best listing.")
    primary_listing_id: str = Field(description="The best listing (name, kind and organization are its).")
    members: int = Field(description="How many listings were merged into the entity.")
    listing_ids: list[str] = Field(default_factory=list, description="Every listing of the entity.")
    sources: list[str] = Field(default_factory=list, description="Every source that lists it.")
    source_urls: list[str] = Field(default_factory=list, description="Every page it was read from.")
    first_seen: datetime = Field(description="First run that saw any of its listings (UTC).")
    last_seen: datetime = Field(description="Latest run that saw any of its listings (UTC).")
    status: Status = Field(description="active if any of its listings is active, else inactive.")


class ReviewRow(BaseModel):
    """A pair of listings that scored between the no-merge and merge thresholds (review.csv)."""

    left_listing_id: str = Field(description="listing_id of one listing of the pair.")
    right_listing_id: str = Field(description="listing_id of the other.")
    score: float = Field(description="Name score adjusted for the place, 0-100.")
    left_name: str = Field(description="Name of the left listing.")
    right_name: str = Field(description="Name of the right listing.")
    left_source: str = Field(description="Source of the left listing.")
    right_source: str = Field(description="Source of the right listing.")
    left_place: str | None = Field(None, description="City and state of the left listing.")
    right_place: str | None = Field(None, description="City and state of the right listing.")
    left_contact: str | None = Field(None, description="Phone, website and email of the left listing.")
    right_contact: str | None = Field(None, description="Phone, website and email of the right listing.")
    decision: str | None = Field(None, description="same or different (copy the row to the decisions file).")
    note: str | None = Field(None, description="Why, for the next person.")
