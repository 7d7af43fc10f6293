"""A directory search: what a person asks (Query) and what they get back (Result)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from schemas.values import Attendance, GeoPrecision, Kind, Status

DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
REMOTE: tuple[Attendance, ...] = ("online", "phone")
DEFAULT_RADIUS_MILES = 25.0


class Query(BaseModel):
    """Filters of a search; every list filter matches any of its values, filters combine with AND."""

    model_config = ConfigDict(frozen=True)

    near: tuple[float, float] | None = Field(None, description="(latitude, longitude) to rank by distance.")
    place: str | None = Field(None, description="What `near` is called (\"Lexington, KY\").")
    timezone: str | None = Field(None, description="The searcher's IANA zone: days and times are read in it.")
    radius_miles: float = Field(DEFAULT_RADIUS_MILES, ge=0, description="How far from `near` (miles).")
    kinds: tuple[Kind, ...] = ()
    organizations: tuple[str, ...] = Field((), description="Alliance names or source keys (nami, dbsa).")
    topics: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    attendance: tuple[Attendance, ...] = Field((), description="Empty: every way of attending.")
    days: tuple[str, ...] = Field((), description="RFC 5545 weekday codes (MO..SU) a group meets on.")
    after: str | None = Field(None, description="Meets at or after this local time (HH:MM).")
    before: str | None = Field(None, description="Starts before this local time (HH:MM).")
    states: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = ("active",)
    text: str | None = Field(None, description="Words that must all appear in the name or description.")
    limit: int | None = Field(50, ge=1, description="At most this many results; None for all.")
    now: datetime | None = Field(None, description="When 'next meeting' is counted from (default: now).")


class ParentContact(BaseModel):
    """The chapter or organization a listing with no contact of its own is reached through."""

    listing_id: str
    name: str
    kind: Kind
    phone: str | None = None
    email: str | None = None
    website: str | None = None


class Result(BaseModel):
    """One listing found, with what a person needs to go: distance, next meeting, how to attend."""

    listing_id: str
    name: str
    kind: Kind
    organization: str
    source: str
    attendance: Attendance
    remote: bool = Field(description="Online or by phone from anywhere: listed after the nearby ones.")
    distance_miles: float | None = Field(None, description="From `near`, for listings with a place.")
    geo_precision: GeoPrecision
    next_meeting_at: datetime | None = None
    next_meeting_your_time: datetime | None = Field(
        None, description="The next meeting in the searcher's zone, when its clock differs.")
    distance_text: str = Field("", description="\"3.2 miles away\", or \"in Louisville\" for a city centre.")
    when: str = Field("", description="The schedule in words.")
    how_to_attend: str
    contact: str = Field(description="Its own contact points, else its parent's labelled as theirs.")
    description: str | None = Field(None, description="What it is and who it is for, as published.")
    parent: str | None = Field(None, description="listing_id of the chapter or organization it belongs to.")
    parent_name: str | None = None
    parent_contact: ParentContact | None = Field(
        None, description="No phone, email or website of its own: whom to contact instead (its chapter's, "
                          "or the nearest organization above it that has one); its own fields stay empty.")
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    topics: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    website: str | None = None
    registration_url: str | None = None
    conference_url: str | None = None
    phone: str | None = None
    email: str | None = None
    source_url: str
    last_seen: str


class Found(BaseModel):
    """The results of a search (limited), and how many listings matched in all."""

    total: int
    results: list[Result]
    place: str | None = Field(None, description="Where the search was near.")
    nearby: int = Field(0, description="How many were found within the radius.")
    nearest_miles: float | None = Field(
        None, description="With none within the radius: how far the nearest in-person listing is.")
