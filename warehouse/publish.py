"""Publish an export folder whole: write it aside, then swap a symlink, so readers never see half of it.

`--out exports/` becomes a symlink to `.exports.builds/<build>/` beside it; the
swap is one atomic rename. Older builds beyond `keep` are removed.
"""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def builds_dir(out: Path) -> Path:
    """Where the versions behind `out` live."""
    return out.parent / f".{out.name}.builds"


def publish(out: Path, build_name: str, write: Callable[[Path], None], keep: int = 2) -> Path:
    """Write a build with `write(folder)`, then atomically point `out` at it; return the build folder."""
    out = Path(out).absolute()
    versions = builds_dir(out)
    versions.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(versions)
    staging = Path(tempfile.mkdtemp(prefix=f"{build_name}.", suffix=".partial", dir=versions))
    staging.chmod(0o755)  # mkdtemp makes it private; exports are for everyone to read
    try:
        write(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = versions / build_name
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)
    _adopt_plain_folder(out, versions)
    link = versions / f".{build_name}.link"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(final, out.parent))
    os.replace(link, out)
    _prune(versions, keep=keep, current=final)
    return final


def _clear_leftovers(versions: Path) -> None:
    """Remove what a killed build left behind: half-written `.partial` folders and temporary links.

    Safe because only the holder of the warehouse's build lock publishes.
    """
    for entry in versions.iterdir():
        if entry.name.endswith(".link") and entry.is_symlink():
            entry.unlink()
        elif entry.name.endswith(".partial") and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _adopt_plain_folder(out: Path, versions: Path) -> None:
    """If `out` is a real folder (made before, or by hand), move it aside once so a link can replace it."""
    if out.is_symlink() or not out.exists():
        return
    if out.is_dir():
        out.rename(versions / "previous-folder")
    else:
        raise FileExistsError(f"{out} exists and is not a folder")


def _prune(versions: Path, keep: int, current: Path) -> None:
    """Remove all but the newest `keep` builds (and leftovers of interrupted ones)."""
    builds = sorted((p for p in versions.iterdir() if p.is_dir() and not p.is_symlink()),
                    key=lambda p: p.stat().st_mtime)
    for stale in builds[:-keep]:
        if stale != current:
            shutil.rmtree(stale, ignore_errors=True)
