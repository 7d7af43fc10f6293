"""Every CSV the project writes goes through here, so no cell can start a spreadsheet formula.

OWASP's "CSV Injection": a cell starting with `=`, `+`, `-`, `@`, tab or carriage return is
run as a formula by Excel, LibreOffice and Google Sheets. Such a cell gets a leading `'`, which a
spreadsheet shows as text. Two typed shapes are left as they are, as they cannot call anything
(no function, no `|` or `!` of a DDE link) and a `'` would corrupt them for programs: a number
(optional sign, digits, decimals, exponent: `-117.08`, `-8`, an E.164 phone `+15551234567`,
kept as numbers by their Table Schema types), and an RFC 5545 BYDAY list (`-1TH`, HSDS
schedules' "last Thursday"), which a spreadsheet shows as an error at worst. DuckDB's COPY to CSV
(`db.copy_to`) and the Python writers (`writer`, `write_rows`) apply the same rule, and the
export's validation (`formula_problems`) fails on any cell of any CSV that breaks it, so a CSV
written some other way is caught. Parquet and JSON keep every value unchanged.
"""

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import duckdb

FORMULA_START = "=+-@\t\r"
_DAY = r"[+-]?[0-9]{0,2}(?:MO|TU|WE|TH|FR|SA|SU)"
# The typed shapes left as they are: a number, or a BYDAY list.
TYPED = rf"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|{_DAY}(?:,{_DAY})*"
_TYPED = re.compile(TYPED)
_STARTS = ", ".join(f"chr({ord(char)})" for char in FORMULA_START)
# csv_cell(v): one CSV cell as text, neutralized; typed non-text values are written as they are.
CELL_MACRO = f"""
CREATE OR REPLACE TEMP MACRO csv_cell(v) AS
CASE
    WHEN typeof(v) <> 'VARCHAR' THEN CAST(v AS VARCHAR)
    WHEN left(CAST(v AS VARCHAR), 1) NOT IN ({_STARTS}) THEN CAST(v AS VARCHAR)
    WHEN regexp_full_match(CAST(v AS VARCHAR), '{TYPED}') THEN CAST(v AS VARCHAR)
    ELSE '''' || CAST(v AS VARCHAR)
END
"""


class _Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def safe_cell(value: Any) -> Any:
    """A cell value that cannot start a formula: text starting with one gets a leading `'`."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


def is_formula(cell: str) -> bool:
    """True if a written cell would start a formula in a spreadsheet."""
    return bool(cell) and cell[0] in FORMULA_START and not _TYPED.fullmatch(cell)


class SafeWriter:
    """csv.writer whose every cell goes through safe_cell."""

    def __init__(self, handle: _Writable):
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, each cell neutralized."""
        # safe_cell inlined: this runs for every cell of every CSV the Python writers write
        self._writer.writerow([
            "'" + value if isinstance(value, str) and value and value[0] in FORMULA_START
            and not _TYPED.fullmatch(value) else value
            for value in row])


def writer(handle: _Writable) -> SafeWriter:
    """A CSV writer on an open text handle (newline='') that neutralizes every cell."""
    return SafeWriter(handle)


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write a header and one row per mapping (keys must be columns; None is empty); rows written."""
    count = 0
    known = frozenset(columns)
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        out = writer(handle)
        out.writerow(columns)
        for row in rows:
            if not known.issuperset(row):
                raise ValueError(f"{path.name}: columns not in the header: {sorted(row.keys() - known)}")
            out.writerow(["" if row.get(column) is None else row[column] for column in columns])
            count += 1
    return count


def guarded_query(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """`query` with every column through csv_cell (the macro created on the connection)."""
    con.execute(CELL_MACRO)
    return f"SELECT csv_cell(COLUMNS(*)) FROM ({query})"


def formula_problems(folder: Path | str) -> list[str]:
    """Every CSV under `folder` whose cells would start a formula: file, row and column, at most 5."""
    problems: list[str] = []
    for path in sorted(Path(folder).rglob("*.csv")):
        problems += [f"{path.relative_to(folder)}: {where}" for where in _formula_cells(path)]
        if len(problems) >= 5:
            break
    return problems[:5]


def _formula_cells(path: Path) -> list[str]:
    """Row (the header is row 1) and column of the first cells of one CSV that start a formula."""
    import pyarrow as pa  # only the export's validation needs it (a national CSV in a second)
    import pyarrow.compute as pc
    from pyarrow import csv as pa_csv

    with path.open(newline="", encoding="utf-8") as handle:
        columns = next(csv.reader(handle), [])
    found = [f"header {name!r}" for name in columns if is_formula(name)]
    names = [f"c{number}" for number in range(len(columns))]
    try:
        table = pa_csv.read_csv(
            path, parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=False))
    except (pa.ArrowInvalid, StopIteration) as error:
        return [*found, f"not readable as CSV: {error}"] if columns else found
    starts = pa.array(list(FORMULA_START))
    for number, name in enumerate(columns):
        cells = table.column(number)
        suspect = pc.is_in(pc.utf8_slice_codeunits(cells, 0, 1), value_set=starts)
        bad = pc.and_(suspect, pc.invert(pc.match_substring_regex(cells, f"^(?:{TYPED})$")))
        for row in pc.indices_nonzero(bad).to_pylist()[:5]:
            found.append(f"row {row + 2}, column {name!r}: {cells[row].as_py()[:40]!r}")
    return found[:5]
