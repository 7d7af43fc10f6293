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
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas.errors import SupportDirError
from schemas.urls import canonical_url, is_http_url

DEFAULT_FEEDS = Path(__file__).parents[1] / "feeds.toml"
CACHE_FILE_PATH = re.compile(r"/wp-content/tsml-cache-[0-9a-f]+\.json", re.ASCII)


class FeedsFileError(SupportDirError):
    """The feeds file is missing, not TOML, or a feed in it is not valid."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"feeds file {path}: {problem}")
        self.path = path


class Feed(BaseModel):
    """One Meeting Guide feed: its short name, URL, organization, and what to send and record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Prefix of every source_key.")
    url: str = Field(description="The feed URL (http or https).")
    organization: str = Field(min_length=1, description="Recorded as each listing's organization.")
    publisher: str | None = Field(None, description="Who publishes the feed (an intergroup, an office).")
    region: str | None = Field(None, pattern=r"^[a-z]{2}$",
                               description="The home state it covers (two-letter code; us = national).")
    topics: tuple[str, ...] = Field((), description="What its meetings are about (e.g. alcohol use).")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers.")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        """An absolute http(s) URL."""
        if not is_http_url(value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.strip()

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
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FeedsFileError(path, "no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FeedsFileError(path, f"not valid TOML: {exc}") from None
    entries = data.get("feeds")
    if not isinstance(entries, list) or set(data) - {"feeds"}:
        raise FeedsFileError(path, "expected only a `feeds = [...]` list of feed tables")
    feeds = [_feed(path, number, entry) for number, entry in enumerate(entries, start=1)]
    for label, values in (("name", [f.name for f in feeds]), ("URL", [canonical_url(f.url) for f in feeds])):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise FeedsFileError(path, f"feed {label} listed twice: {', '.join(repeated)}")
    return feeds


def _feed(path: Path, number: int, entry: object) -> Feed:
    """One entry of the list as a Feed, or a clear error naming it."""
    if not isinstance(entry, dict):
        raise FeedsFileError(path, f"feed {number} is not a table")
    try:
        return Feed.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "feed"
        name = entry.get("name", "?")
        raise FeedsFileError(path, f"feed {number} ({name}): {where}: {first['msg']}") from None
