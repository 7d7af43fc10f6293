"""The sources the project knows, by name."""

from scrapers.base import Source
from scrapers.dbsa import Dbsa
from scrapers.errors import SupportDirError
from scrapers.lifering import LifeRing
from scrapers.meetingguide import MeetingGuide
from scrapers.mha import Mha
from scrapers.nami import Nami
from scrapers.sardaa import Sardaa
from scrapers.smart import Smart

SOURCE_CLASSES: dict[str, type[Source]] = {
    cls.name: cls for cls in (Nami, Dbsa, Sardaa, Mha, MeetingGuide, Smart, LifeRing)
}


class UnknownSource(SupportDirError):
    """A source name the project does not know."""


def get_source(name: str) -> Source:
    """A source instance by name (base URL from SUPPORTDIR_<NAME>_BASE_URL if set)."""
    try:
        return SOURCE_CLASSES[name]()
    except KeyError:
        known = ", ".join(sorted(SOURCE_CLASSES))
        raise UnknownSource(f"unknown source {name!r}; known sources: {known}") from None


def all_sources() -> list[Source]:
    """Every known source."""
    return [cls() for cls in SOURCE_CLASSES.values()]
