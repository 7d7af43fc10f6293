"""SMART Recovery meetings (meetings.smartrecovery.org), on the shared meetings platform."""

from scrapers.sources.meetings_platform import MeetingsPlatform


class Smart(MeetingsPlatform):
    """SMART Recovery meetings: in person, online and hybrid, incl. Family & Friends."""

    name = "smart"
    organization = "SMART Recovery"
    base_url = "https://meetings.smartrecovery.org"
    hosts = frozenset({"meetings.smartrecovery.org"})
    description = "SMART Recovery meetings (in person, online, hybrid; Family & Friends)."
    rank = 1  # the organization's own meeting finder
