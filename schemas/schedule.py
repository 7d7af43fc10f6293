"""A meeting schedule rule, shaped like an Open Referral HSDS 3 `schedule` row (RFC 5545 terms)."""

import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

Freq = Literal["WEEKLY", "MONTHLY"]
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
BYDAY = re.compile(r"^(?:[+-]?[1-5])?(?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:[+-]?[1-5])?(?:MO|TU|WE|TH|FR|SA|SU))*$")
CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")


class ScheduleRule(BaseModel):
    """One recurring meeting time: WEEKLY on some days, or MONTHLY on ordinal days, at a local time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    freq: Freq
    interval: int = Field(1, ge=1, le=12, description="Every n weeks or months.")
    byday: str = Field(description="RFC 5545 BYDAY: 'MO,TH' weekly; '2TU,4TU' or '-1FR' monthly.")
    opens_at: str | None = Field(None, description="Local start time, HH:MM (24 h).")
    closes_at: str | None = Field(None, description="Local end time, HH:MM; None when not published.")
    timezone: str | None = Field(None, description="IANA time zone the times are in.")

    @field_validator("byday")
    @classmethod
    def _check_byday(cls, value: str) -> str:
        """BYDAY in RFC 5545 form."""
        value = value.upper().replace(" ", "")
        if not BYDAY.match(value):
            raise ValueError(f"not an RFC 5545 BYDAY list: {value!r}")
        return value

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _check_clock(cls, value: str | None) -> str | None:
        """Times as HH:MM."""
        if value is not None and not CLOCK.match(value):
            raise ValueError(f"not an HH:MM time: {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        """An IANA zone name that zoneinfo knows."""
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not an IANA time zone: {value!r}") from None
        return value
