"""LifeRing Secular Recovery meetings (meetings.lifering.org), on the shared meetings platform."""

from scrapers.sources.meetings_platform import MeetingsPlatform


class LifeRing(MeetingsPlatform):
    """LifeRing Secular Recovery meetings: in person, online and hybrid."""

    name = "lifering"
    organization = "LifeRing Secular Recovery"
    base_url = "https://meetings.lifering.org"
    hosts = frozenset({"meetings.lifering.org"})
    max_pages = 2_000  # the sitemap and one page per meeting: about 157
    description = "LifeRing Secular Recovery meetings (in person, online, hybrid)."
    rank = 1  # the organization's own meeting finder
