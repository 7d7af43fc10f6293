"""The project's typed errors (fetch, parsers, warehouse, publish), each naming its source, URL or file."""


class SupportDirError(Exception):
    """Base class of the project's expected errors (the CLI prints them as one line)."""

    def __reduce__(self):
        """Pickle by message and attributes (the subclasses' __init__ take other arguments)."""
        return _rebuild, (type(self), str(self), dict(self.__dict__))


def _rebuild(cls: type, message: str, state: dict) -> SupportDirError:
    """An error unpickled (e.g. from a Dask worker) with its message and attributes."""
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class FetchFailed(SupportDirError):
    """A URL could not be fetched after retries."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"fetch failed for {url}: {reason}")
        self.url = url
        self.reason = reason


class FetchRefused(FetchFailed):
    """The fetch layer refused a URL or a response by policy (never retried).

    A non-http(s) or private target, too many redirects, an oversized body.
    """


class RobotsDisallowed(SupportDirError):
    """robots.txt forbids fetching a URL; it was skipped, never requested."""

    def __init__(self, url: str, why: str = ""):
        super().__init__(f"robots.txt disallows {url}" + (f" ({why})" if why else ""))
        self.url = url


class BodyTooLarge(FetchRefused):
    """A response body exceeded the size cap."""


class NothingFetched(SupportDirError):
    """Every start URL of a source was skipped (robots.txt, refused): the crawl has no pages."""

    def __init__(self, source: str, reasons: list[str]):
        super().__init__(f"{source}: nothing fetched; {'; '.join(reasons[:3])}")
        self.source = source
        self.reasons = reasons


class NotInArchive(SupportDirError):
    """A replayed URL is not in the WARC archive."""

    def __init__(self, url: str):
        super().__init__(f"not in the archive: {url}")
        self.url = url


class SourceChanged(SupportDirError):
    """A page no longer has the structure its parser expects (or parsed to nothing)."""

    def __init__(self, source: str, url: str, reason: str):
        super().__init__(f"{source}: {reason} ({url})")
        self.source = source
        self.url = url
        self.reason = reason


class LostTooMany(SourceChanged):
    """More of a source's pages were lost (unfetchable or unparsable) than its allowed share."""


class NoListings(SourceChanged):
    """Every page of a source parsed to nothing: a yield of zero, quarantined rather than loaded."""


class SettingInvalid(SupportDirError):
    """An environment setting holds a value of the wrong kind (e.g. a page cap that is not a number)."""


class PublishTargetInvalid(SupportDirError):
    """A publish target (`--out`) that cannot take a publish: a file, a read-only folder, a foreign folder."""


class PublishFailed(SupportDirError):
    """Writing a publish failed (e.g. no space left); nothing was published, the previous version stays."""


class PageInvalid(SupportDirError):
    """The search page as written does not hold what was meant (a broken script, listings missing)."""


class UnreadableValue(SupportDirError, ValueError):
    """A value a normalization function cannot read (e.g. a URL with port 99999): made NULL, counted."""


class AddressRefused(FetchRefused):
    """A host that resolves to an address that is not globally routable (the SSRF guard)."""


class DeadlineExceeded(FetchRefused):
    """A request took longer than its total deadline (e.g. a server dripping bytes)."""


class RetryAfterTooLong(FetchRefused):
    """A server asked to retry later than the cap: the URL is given up for this run."""


class HostUnreachable(FetchFailed):
    """A host could not be reached (DNS or connection error) when its robots.txt was fetched."""


class BudgetExceeded(SupportDirError):
    """A source's crawl ran past its wall-clock budget or its page cap."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class CrawlStopped(BudgetExceeded):
    """A crawl ended early because the build was told to stop (SIGTERM or SIGINT)."""


class ArchiveUnreadable(SupportDirError):
    """A WARC file that cannot be read (not a WARC, or damaged) at an offset."""

    message = "cannot read WARC file {path} at offset {offset}: {reason}"

    def __init__(self, path: str, offset: int, reason: str):
        super().__init__(self.message.format(path=path, offset=offset, reason=reason))
        self.path = path
        self.offset = offset
        self.reason = reason


class ArchiveTruncated(ArchiveUnreadable):
    """A WARC file that ends inside a record (cut short, e.g. by a crash or a partial copy)."""

    message = "WARC file {path} is truncated at offset {offset}: {reason}"


class WarehouseDamaged(SupportDirError):
    """A warehouse file that is not a DuckDB database, or is cut short: refused, never written to."""


class ServiceUnavailable(SupportDirError):
    """A service a build needs (Prefect's temporary server, a Dask scheduler) did not answer: retry."""


class BuildInterrupted(KeyboardInterrupt):
    """SIGTERM or SIGINT stopped a build (a KeyboardInterrupt, so nothing catches it as a failure)."""

    def __init__(self, signum: int):
        import signal

        super().__init__(signal.Signals(signum).name)
        self.signum = signum
