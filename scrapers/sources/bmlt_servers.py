"""The BMLT servers file: root servers to crawl besides (or instead of) the aggregator's list.

A TOML file: `aggregator = true|false` (default true) and `servers = [...]`, one inline table per
line: { id = "12", name = "...", url = "https://.../main_server/", latitude = 40.7, longitude = -74.0 }.
`id` prefixes each meeting's source_key: give a server the aggregator's id for it, so its keys stay.
"""

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas.errors import SupportDirError
from schemas.urls import canonical_url, is_http_url

DEFAULT_SERVERS = Path(__file__).parents[1] / "bmlt_servers.toml"


class ServersFileError(SupportDirError):
    """The BMLT servers file is not TOML, or a server in it is not valid."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"BMLT servers file {path}: {problem}")
        self.path = path


class RootServer(BaseModel):
    """One BMLT root server: its id, name, URL and the centre of the area it serves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$", description="Prefix of every source_key.")
    name: str = Field(description="The server's name, for the run report.")
    url: str = Field(description="The root server's URL (…/main_server/).")
    latitude: float | None = Field(None, ge=-90, le=90, description="Centre of its area.")
    longitude: float | None = Field(None, ge=-180, le=180, description="Centre of its area.")

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        """An integer id (as the aggregator gives it) as text."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        """An absolute http(s) URL."""
        if not is_http_url(value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.strip()


def load_servers(path: Path) -> tuple[bool, list[RootServer]]:
    """(whether to read the aggregator, the pinned servers) of a servers file; a missing file is
    (True, []): the aggregator's list alone."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True, []
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ServersFileError(path, f"not valid TOML: {exc}") from None
    aggregator, entries = data.get("aggregator", True), data.get("servers", [])
    if set(data) - {"aggregator", "servers"} or not isinstance(aggregator, bool) \
            or not isinstance(entries, list):
        raise ServersFileError(path, "expected only `aggregator = true|false` and a `servers = [...]` list")
    servers = [_server(path, number, entry) for number, entry in enumerate(entries, start=1)]
    for label, values in (("id", [s.id for s in servers]), ("URL", [canonical_url(s.url) for s in servers])):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ServersFileError(path, f"server {label} listed twice: {', '.join(repeated)}")
    if not aggregator and not servers:
        raise ServersFileError(path, "the aggregator is off and no server is listed: nothing to crawl")
    return aggregator, servers


def _server(path: Path, number: int, entry: object) -> RootServer:
    """One entry of the list as a RootServer, or a clear error naming it."""
    if not isinstance(entry, dict):
        raise ServersFileError(path, f"server {number} is not a table")
    try:
        return RootServer.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "server"
        name = entry.get("name", "?")
        raise ServersFileError(path, f"server {number} ({name}): {where}: {first['msg']}") from None
