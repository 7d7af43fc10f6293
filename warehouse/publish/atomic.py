"""Publish a folder whole: write it aside under a new name, check it, swap a symlink, then prune.

`--out exports/` is a symlink to `.exports.builds/<build>.<unique>/` beside it. Every publish (build,
export, site) writes a new, uniquely named `<build>.<unique>.partial` folder, checks it, renames it to
`<build>.<unique>`, and points `out` at it with one atomic rename of a symlink; only then are versions
that nothing points at removed (all but the newest `keep`). The folder `out` points at is never
written into, renamed or removed: not by pruning, not by the clean-up of what a killed publish left,
not by a publish of the same build name. Publishes to one target take turns (a lock file beside the
versions), so the clean-up never touches another publish's work.
"""

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from schemas.errors import PublishFailed, PublishTargetInvalid

PARTIAL = ".partial"
LOCK_NAME = ".publish.lock"
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)

Check = Callable[[Path], None]


def builds_dir(out: Path) -> Path:
    """Where the versions behind `out` live."""
    return out.parent / f".{out.name}.builds"


def check_target(out: Path, marker: str = "datapackage.json") -> Path:
    """Refuse, before any work, an `out` that cannot take a publish (PublishTargetInvalid); return it.

    `out` may be missing, a link (made by an earlier publish), or an empty folder or one holding
    `marker` (a version made before links, adopted once); its folder must be writable.
    """
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise PublishTargetInvalid(f"--out {out} is a file, not a folder")
    if out.is_dir() and not out.is_symlink() and any(out.iterdir()) and not (out / marker).exists():
        raise PublishTargetInvalid(f"--out {out} is a folder of other files (no {marker}); give a new or "
                                   "empty folder (it becomes a link to the published version)")
    versions = builds_dir(out)
    if versions.exists() and not versions.is_dir():
        raise PublishTargetInvalid(f"{versions} (where versions of --out {out} are kept) is a file")
    _probe(out, versions if versions.is_dir() else _nearest_folder(out.parent))
    return out


def _nearest_folder(path: Path) -> Path:
    """The closest existing ancestor of a folder still to be made (PublishTargetInvalid if it is a file)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    if not path.is_dir():
        raise PublishTargetInvalid(f"cannot make a folder under {path}: it is a file")
    return path


def _probe(out: Path, folder: Path) -> None:
    """Make and remove a folder in `folder`: the only sure test that a publish can write there."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".probe-", dir=folder))
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise PublishFailed(f"{exc.strerror} in {folder}, so nothing can be published to {out}") from None
        raise PublishTargetInvalid(f"cannot publish to --out {out}: {folder} is not writable "
                                   f"({exc.strerror})") from None


def publish(out: Path, build_name: str, write: Callable[[Path], None], keep: int = 2,
            check: Check | None = None, marker: str = "datapackage.json") -> Path:
    """Write a new version with `write(folder)`, check it, point `out` at it atomically; return its folder.

    `check(folder)` raises if the version is not fit to publish (default: `marker` must exist). A
    failure in `write` or `check` removes the new folder and re-raises; an OSError (no space left,
    an I/O error) becomes PublishFailed. Either way `out` still shows the previous version, whole.
    """
    out = check_target(out, marker)
    versions = builds_dir(out)
    try:
        versions.mkdir(parents=True, exist_ok=True)
        with FileLock(versions / LOCK_NAME):
            _clear_leftovers(versions, _target(out))
            final = _write_aside(versions, build_name, write, check or _has(marker))
            _swap(out, final)
            _prune(versions, keep, _target(out))
    except OSError as exc:
        raise PublishFailed(f"{exc.strerror or exc} while publishing to {out}; "
                            "the previous version stays") from exc
    return final


def _has(marker: str) -> Check:
    """The default check: the version holds its marker file."""
    def check(folder: Path) -> None:
        if not (folder / marker).is_file():
            raise PublishFailed(f"the new version of {folder.name} has no {marker}; nothing published")
    return check


def _target(out: Path) -> Path | None:
    """The folder `out` shows now (None if there is none)."""
    return out.resolve() if out.exists() else None


def _write_aside(versions: Path, build_name: str, write: Callable[[Path], None], check: Check) -> Path:
    """Write and check a new uniquely named folder; return it renamed to its final name."""
    staging = _new_partial(versions, build_name)
    try:
        write(staging)
        check(staging)
        final = staging.with_name(staging.name.removesuffix(PARTIAL))
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.utime(final)  # the publish time orders the versions for pruning
    return final


def _new_partial(versions: Path, build_name: str) -> Path:
    """A fresh `<build>.<unique>.partial` folder whose final name is not taken either."""
    while True:
        staging = Path(tempfile.mkdtemp(prefix=f"{build_name}.", suffix=PARTIAL, dir=versions))
        if not staging.with_name(staging.name.removesuffix(PARTIAL)).exists():
            staging.chmod(0o755)  # mkdtemp makes it private; exports are for everyone to read
            return staging
        staging.rmdir()


def _swap(out: Path, final: Path) -> None:
    """Point `out` at `final` with one rename of a new symlink (a plain folder is moved aside first)."""
    link = final.with_name(f".{final.name}.link")
    try:
        link.symlink_to(os.path.relpath(final, out.parent))
        _adopt_plain_folder(out, final.parent)
        os.replace(link, out)
    except BaseException:
        link.unlink(missing_ok=True)
        shutil.rmtree(final, ignore_errors=True)
        raise


def _adopt_plain_folder(out: Path, versions: Path) -> None:
    """A real folder at `out` (made before links, checked by check_target) becomes an old version, once."""
    if out.is_dir() and not out.is_symlink():
        out.rename(tempfile.mkdtemp(prefix="adopted.", dir=versions))


def _clear_leftovers(versions: Path, target: Path | None) -> None:
    """Remove what a killed publish left: `.partial` folders, temporary links, versions never swapped in."""
    shown = _published_at(versions, target)
    for entry in versions.iterdir():
        if entry.is_symlink():
            if entry.name.endswith(".link"):
                entry.unlink()
        elif entry.is_dir() and entry.resolve() != target and (
                entry.name.endswith(PARTIAL) or _never_shown(entry, shown)):
            shutil.rmtree(entry, ignore_errors=True)


def _published_at(versions: Path, target: Path | None) -> int | None:
    """When the version `out` shows was published (None if `out` shows none of them)."""
    if target is None or target.parent != versions.resolve():
        return None
    return target.stat().st_mtime_ns


def _never_shown(entry: Path, shown: int | None) -> bool:
    """A whole version newer than the one shown: its publish was killed before the swap."""
    return shown is not None and not entry.name.startswith("adopted.") and entry.stat().st_mtime_ns > shown


def _prune(versions: Path, keep: int, target: Path | None) -> None:
    """Remove all but the newest `keep` versions; the one `out` points at always stays."""
    builds = sorted((p for p in versions.iterdir()
                     if p.is_dir() and not p.is_symlink() and not p.name.endswith(PARTIAL)),
                    key=lambda p: p.stat().st_mtime_ns)
    for stale in builds[:-keep]:
        if stale.resolve() != target:
            shutil.rmtree(stale, ignore_errors=True)
