"""The sources' TOML config files (Meeting Guide feeds, BMLT servers): one reader, one error, one check."""

import tomllib
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ValidationError

from schemas.errors import SupportDirError
from schemas.urls import canonical_url, is_http_url

Entry = TypeVar("Entry", bound=BaseModel)


class ConfigFileError(SupportDirError):
    """A sources config file is missing, not TOML, or an entry in it is not valid."""

    what = "config file"

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{self.what} {path}: {problem}")
        self.path = path


def _http_url(value: str) -> str:
    """An absolute http(s) URL, trimmed."""
    if not is_http_url(value):
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value.strip()


HttpUrlText = Annotated[str, AfterValidator(_http_url)]


def read_toml(path: Path, error: type[ConfigFileError],
              missing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The file's top-level table; `missing` when there is no file (None: a missing file is an error)."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing is None:
            raise error(path, "no such file") from None
        return missing
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(path, f"not valid TOML: {exc}") from None


def read_entries(path: Path, items: list, model: type[Entry], noun: str, key: str,
                 error: type[ConfigFileError]) -> list[Entry]:
    """Each table of the list as `model`, with unique `key` and URL; the error names the first bad one."""
    found = [_entry(path, number, item, model, noun, error) for number, item in enumerate(items, start=1)]
    keys = {key: [str(getattr(entry, key)) for entry in found],
            "URL": [canonical_url(entry.url) for entry in found]}
    for label, values in keys.items():
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise error(path, f"{noun} {label} listed twice: {', '.join(repeated)}")
    return found


def _entry(path: Path, number: int, item: object, model: type[Entry], noun: str,
           error: type[ConfigFileError]) -> Entry:
    """One table of the list as `model`, or a clear error naming it."""
    if not isinstance(item, dict):
        raise error(path, f"{noun} {number} is not a table")
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or noun
        raise error(path, f"{noun} {number} ({item.get('name', '?')}): {where}: {first['msg']}") from None
