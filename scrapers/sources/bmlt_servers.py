"""The BMLT servers file: root servers to crawl besides (or instead of) the aggregator's list.

A TOML file: `aggregator = true|false` (default true) and `servers = [...]`, one inline table per
line: { id = "12", name = "...", url = "https://.../main_server/", latitude = 40.7, longitude = -74.0 }.
`id` prefixes each meeting's source_key: give a server the aggregator's id for it, so its keys stay.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scrapers.sources.config_file import ConfigFileError, HttpUrlText, read_entries, read_toml

DEFAULT_SERVERS = Path(__file__).parents[1] / "bmlt_servers.toml"


class ServersFileError(ConfigFileError):
    """The BMLT servers file is not TOML, or a server in it is not valid."""

    what = "BMLT servers file"


class RootServer(BaseModel):
    """One BMLT root server: its id, name, URL and the centre of the area it serves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$", description="Prefix of every source_key.")
    name: str = Field(description="The server's name, for the run report.")
    url: HttpUrlText = Field(description="The root server's URL (…/main_server/).")
    latitude: float | None = Field(None, ge=-90, le=90, description="Centre of its area.")
    longitude: float | None = Field(None, ge=-180, le=180, description="Centre of its area.")

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        """An integer id (as the aggregator gives it) as text."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value



def load_servers(path: Path) -> tuple[bool, list[RootServer]]:
    """(whether to read the aggregator, the pinned servers) of a servers file; a missing file is
    (True, []): the aggregator's list alone."""
    data = read_toml(path, ServersFileError, missing={})
    aggregator, entries = data.get("aggregator", True), data.get("servers", [])
    if set(data) - {"aggregator", "servers"} or not isinstance(aggregator, bool) \
            or not isinstance(entries, list):
        raise ServersFileError(path, "expected only `aggregator = true|false` and a `servers = [...]` list")
    servers = read_entries(path, entries, RootServer, "server", "id", ServersFileError)
    if not aggregator and not servers:
        raise ServersFileError(path, "the aggregator is off and no server is listed: nothing to crawl")
    return aggregator, servers
