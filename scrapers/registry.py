"""The sources the project knows, by name: every named Source subclass in scrapers/sources/."""

import importlib
import inspect
import pkgutil

import scrapers.sources
from schemas.errors import SupportDirError
from scrapers.base import Source


def _discover() -> dict[str, type[Source]]:
    """Each Source subclass that a module of scrapers.sources defines with its own `name`, by name."""
    found: dict[str, type[Source]] = {}
    for module_info in pkgutil.iter_modules(scrapers.sources.__path__, "scrapers.sources."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Source) and cls.__module__ == module.__name__ and "name" in vars(cls):
                found[cls.name] = cls
    return dict(sorted(found.items()))


SOURCE_CLASSES: dict[str, type[Source]] = _discover()


class UnknownSource(SupportDirError):
    """A source name the project does not know."""


def get_source(name: str) -> Source:
    """A source instance by name (base URL from SUPPORTDIR_<NAME>_BASE_URL if set)."""
    try:
        return SOURCE_CLASSES[name]()
    except KeyError:
        known = ", ".join(sorted(SOURCE_CLASSES))
        raise UnknownSource(f"unknown source {name!r}; known sources: {known}") from None


def source_traits() -> dict[str, tuple[int, str]]:
    """Every known source's (rank, family), for the warehouse (it imports no scrapers)."""
    return {name: cls.traits() for name, cls in SOURCE_CLASSES.items()}


def all_sources() -> list[Source]:
    """Every known source."""
    return [cls() for cls in SOURCE_CLASSES.values()]
