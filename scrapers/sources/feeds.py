"""The Meeting Guide feeds file: which feeds the `meetingguide` source crawls (no code per feed).

A TOML file with one inline table per line in `feeds = [...]`:
{ name = "aasandiego", url = "https://.../admin-ajax.php?action=meetings",
  organization = "Alcoholics Anonymous", publisher = "San Diego Central Office", region = "ca",
  topics = ["alcohol use"], headers = { Accept = "..." } }

`region` is the home state the feed covers (`us`: national). It describes the feed, not its
meetings: an intergroup lists meetings across state lines (Kansas City, Washington DC) and online
meetings anywhere, so it is never taken as a meeting's state.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scrapers.sources.config_file import ConfigFileError, HttpUrlText, read_entries, read_toml

DEFAULT_FEEDS = Path(__file__).parents[1] / "feeds.toml"
CACHE_FILE_PATH = re.compile(r"/wp-content/tsml-cache-[0-9a-f]+\.json", re.ASCII)


class FeedsFileError(ConfigFileError):
    """The feeds file is missing, not TOML, or a feed in it is not valid."""

    what = "feeds file"


class Feed(BaseModel):
    """One Meeting Guide feed: its short name, URL, organization, and what to send and record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Prefix of every source_key.")
    url: HttpUrlText = Field(description="The feed URL (http or https).")
    organization: str = Field(min_length=1, description="Recorded as each listing's organization.")
    publisher: str | None = Field(None, description="Who publishes the feed (an intergroup, an office).")
    region: str | None = Field(None, pattern=r"^[a-z]{2}$",
                               description="The home state it covers (two-letter code; us = national).")
    topics: tuple[str, ...] = Field((), description="What its meetings are about (e.g. alcohol use).")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers.")

    @property
    def cache_file(self) -> bool:
        """A 12 Step Meeting List cache file (/wp-content/tsml-cache-<hash>.json): its hash rotates."""
        return bool(CACHE_FILE_PATH.fullmatch(urlsplit(self.url).path))

    @field_validator("organization")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        """Not only spaces."""
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


def load_feeds(path: Path) -> list[Feed]:
    """The feeds of a feeds file, checked: valid entries, unique names and URLs."""
    data = read_toml(path, FeedsFileError)
    entries = data.get("feeds")
    if not isinstance(entries, list) or set(data) - {"feeds"}:
        raise FeedsFileError(path, "expected only a `feeds = [...]` list of feed tables")
    return read_entries(path, entries, Feed, "feed", "name", FeedsFileError)
