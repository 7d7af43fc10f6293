"""Compare two export folders file by file, apart from run ids and times (refactors must not change output).

    python benchmarks/compare_exports.py OLD_EXPORTS NEW_EXPORTS
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb

RUN_ID = re.compile(rb"\d{8}T\d{6}Z-[0-9a-f]{6}")
STAMP = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?|\d{8}T\d{6}Z?")


def masked(data: bytes) -> bytes:
    """The bytes with run ids and timestamps replaced by fixed tokens."""
    return STAMP.sub(b"<TIME>", RUN_ID.sub(b"<RUN>", data))


def file_bytes(path: Path) -> bytes:
    """A file's comparable bytes: Parquet as its rows in CSV form, anything else as it is."""
    if path.suffix != ".parquet":
        return path.read_bytes()
    rows = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()
    return "\n".join("|".join(map(str, row)) for row in rows).encode()


def differing(old: Path, new: Path) -> list[str]:
    """The relative paths that differ (or exist on one side only)."""
    names = {p.relative_to(old) for p in old.rglob("*") if p.is_file()}
    names |= {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    out = []
    for name in sorted(names):
        a, b = old / name, new / name
        if not (a.is_file() and b.is_file()) or masked(file_bytes(a)) != masked(file_bytes(b)):
            out.append(str(name))
    return out


def main() -> int:
    """Print each differing file and the count; exit 1 when any differs."""
    old, new = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    bad = differing(old, new)
    for name in bad[:20]:
        print(f"differs: {name}")
    if len(bad) > 20:
        print(f"... and {len(bad) - 20} more")
    total = sum(1 for p in old.rglob("*") if p.is_file())
    print(f"{total - len(bad)} of {total} files identical apart from run ids and times")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
