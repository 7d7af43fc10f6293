"""Each source's rank and family, as the build passes them from the sources (the warehouse never
imports scrapers): read by the `entities` view (rank) and the matcher (family)."""

from collections.abc import Mapping

import duckdb


def record_traits(con: duckdb.DuckDBPyConnection, traits: Mapping[str, tuple[int, str]]) -> None:
    """Write (rank, family) per source name, replacing what an earlier build wrote for it."""
    con.executemany("INSERT OR REPLACE INTO source_traits VALUES (?, ?, ?)",
                    [[source, rank, family] for source, (rank, family) in sorted(traits.items())])
