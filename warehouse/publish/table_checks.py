"""The rows of the export's CSV tables checked in DuckDB, finding what frictionless finds.

Each table is read as written (every column as text, the header checked against the Table Schema)
and DuckDB picks out, per field, the cells that may be wrong: missing where required, outside an
enum, or not in the strict written form of the field's type (a number, a date, a UUID...).
Only those few cells go through frictionless's own cell reader, which decides and words each
problem, so a cell is wrong here exactly when frictionless says so. Fields whose type or format
SQL has no exact grammar for (JSON arrays, e-mail addresses, other formats) have each distinct
value read by frictionless. Duplicate keys (primary and unique) are grouped in SQL and named as
frictionless names them (the row repeating an earlier one); foreign keys are SQL anti-joins,
compared as written. A table DuckDB cannot read as its schema says (another header, ragged rows,
bad UTF-8) is validated by frictionless whole. Problems are numbered as frictionless numbers rows
(the header is row 1) and worded as frictionless words them.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Container
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
from frictionless import Field, FrictionlessException, Package, Resource, Schema

from schemas.listing import DirectoryRow
from schemas.table_schema import table_schema
from warehouse.publish import checks

Con = duckdb.DuckDBPyConnection
CellReader = Callable[[Any], tuple[Any, dict[str, str] | None]]
SHOWN = 5  # problems named in an ExportInvalid message
FIRST_ROW = 2  # frictionless numbers the header row 1
# Written forms every frictionless reader of the type accepts (a value in another form is read by
# frictionless itself): DuckDB's RE2 regular expressions, matched whole.
TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?"
STRICT_FORMS = {
    ("number", "default"): r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?",
    ("integer", "default"): r"-?(0|[1-9][0-9]*)",
    ("boolean", "default"): r"true|True|TRUE|1|false|False|FALSE|0",
    ("date", "default"): r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    ("datetime", "default"): r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]" + TIME,
    ("time", "default"): TIME,
    ("string", "uuid"): r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}",
    ("string", "uri"): r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+",
    ("string", "default"): "",  # any text
    ("list", "default"): "",  # a list of strings (see _sql_form): any text
}
# Types whose strict form is also checked as a real calendar value by DuckDB (no 2026-02-30).
CALENDAR_CASTS = {"date": "DATE", "datetime": "TIMESTAMPTZ", "time": "TIMETZ"}
# Constraints the SQL picks out itself; a field with another has each distinct value read by frictionless.
SQL_CONSTRAINTS = {"required", "enum", "unique"}
# Field properties that change how frictionless reads a cell: such a field is read by frictionless.
READING_PROPERTIES = ("missing_values", "true_values", "false_values", "group_char", "decimal_char",
                      "bare_number", "float_number", "array_item")


@dataclass(frozen=True)
class Problem:
    """One problem of a table: its row (None: the table as a whole), field, kind and frictionless's note."""

    table: str
    row: int | None
    rank: tuple[int, int]  # order within a row, as frictionless reports: cells, unique, key, foreign keys
    field: str | None
    kind: str
    note: str


def flat_problems(folder: Path | str, name: str) -> list[str]:
    """The flat CSV's first problems, worded as frictionless words them."""
    return [str([p.row, p.field, p.kind, p.note]) for p in flat_rows(folder, name)[:SHOWN]]


def package_problems(folder: Path | str) -> list[str]:
    """The HSDS package's first problems: its descriptor (by frictionless), then its tables' rows and keys."""
    found = checks.descriptor_problems(folder)
    return (found + [str([p.table, p.row, p.field, p.kind, p.note]) for p in package_rows(folder)])[:SHOWN]


# The rows of these top-level resources are checked by other workers (flat_problems, package_problems).
ROWS_CHECKED_APART = ("listings-csv", "hsds-")


def top_level_problems(folder: Path | str) -> list[str]:
    """What `frictionless validate datapackage.json` finds wrong with the top-level package, one line each.

    The descriptor and every resource, as the CLI checks them (schemas, row counts, files that are
    not tables), but for the rows the flat and HSDS checks already read; the other CSV tables'
    rows (entities.csv, review.csv) are read here in DuckDB, like theirs.
    """
    try:
        package = Package(str(Path(folder) / "datapackage.json"))
    except FrictionlessException as exc:
        return [f"datapackage.json: {error.message}" for error in exc.to_errors()]
    problems = [f"datapackage.json: {error.message}" for error in checks.descriptor_errors(package)]
    tables = _csv_tables(Path(folder))
    for resource in package.resources:
        if not resource.name.startswith(ROWS_CHECKED_APART) and resource.name not in tables:
            problems += _resource_lines(resource)
    return problems + [_line(problem) for problem in package_rows(folder, tables)]


def _csv_tables(folder: Path) -> set[str]:
    """The top-level CSV resources with a Table Schema whose rows no other check reads."""
    resources = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    return {resource["name"] for resource in resources if resource.get("format") == "csv"
            and resource.get("schema") and not resource["name"].startswith(ROWS_CHECKED_APART)}


def _resource_lines(resource: Resource) -> list[str]:
    """One resource's frictionless errors, each as `name: row N: field: message`."""
    lines = []
    for error in resource.validate().tasks[0].errors[:SHOWN]:
        where = [f"row {error.row_number}" if getattr(error, "row_number", None) else "",
                 getattr(error, "field_name", None) or ""]
        lines.append(": ".join(part for part in (resource.name, *where, error.message) if part))
    return lines


def _line(problem: Problem) -> str:
    """A table's problem as one line: `name: row N: field: kind: note`."""
    where = [f"row {problem.row}" if problem.row is not None else "", problem.field or ""]
    parts = (problem.table, *where, problem.kind.replace("-", " "), problem.note)
    return ": ".join(part for part in parts if part)


def flat_rows(folder: Path | str, name: str) -> list[Problem]:
    """Every problem of the flat CSV against the directory's Table Schema."""
    schema = table_schema(DirectoryRow)
    with duckdb.connect() as con:
        problems = _table_problems(con, "t0", name, Path(folder) / name, schema, None)
    if problems is None:
        resource = Resource(path=name, basepath=str(folder), schema=Schema.from_descriptor(schema),
                            format="csv", encoding="utf-8")
        return _frictionless_rows(name, resource)
    return problems


def package_rows(folder: Path | str, names: Container[str] | None = None) -> list[Problem]:
    """Every problem of the rows and keys of a package's CSV tables (or of those `names`), table by table."""
    folder = Path(folder)
    resources = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    resources = [resource for resource in resources if names is None or resource["name"] in names]
    tables = {resource["name"]: f"t{number}" for number, resource in enumerate(resources)}
    found: dict[str, list[Problem]] = {}
    with duckdb.connect() as con:
        for resource in resources:
            name = resource["name"]
            found[name] = _table_problems(con, tables[name], name, folder / resource["path"],
                                          resource["schema"], resource.get("rows"))
            if found[name] is None:  # not readable as its schema says: frictionless reads it, keys too
                package = Package(str(folder / "datapackage.json"))
                found[name] = _frictionless_rows(name, package.get_resource(name))
                tables.pop(name)
        invalid = {name: _invalid_cells(problems or []) for name, problems in found.items()}
        for resource in resources:
            if resource["name"] in tables:
                found[resource["name"]] += _foreign_keys(con, resource, tables, invalid)
    return [problem for name in found for problem in sorted(found[name], key=_order)]


def _order(problem: Problem) -> tuple:
    """Frictionless's order: by row (cells, unique, key, foreign keys), the table's own problems last."""
    return problem.row is None, problem.row or 0, problem.rank


def _frictionless_rows(name: str, resource: Resource) -> list[Problem]:
    """Every problem frictionless finds in one table, as Problems."""
    rows = resource.validate().flatten(["rowNumber", "fieldName", "type", "note"])
    return [Problem(name, row, (0, number), field, kind, note)
            for number, (row, field, kind, note) in enumerate(rows)]


def _table_problems(con: Con, table: str, name: str, path: Path, schema: dict[str, Any],
                    rows: int | None) -> list[Problem] | None:
    """A table's problems but its foreign keys'; None when DuckDB cannot read it as its schema says."""
    names = [field["name"] for field in schema["fields"]]
    missing = schema.get("missingValues", [""])
    fields = Schema.from_descriptor(schema).fields
    readable = _keys_as_text(schema, fields) and _header(path) == names
    if not readable or not _load(con, table, path, names, missing):
        return None
    problems = _cell_problems(con, table, name, fields, missing)
    invalid = _invalid_cells(problems)
    problems = _blank_rows(con, table, name, names, problems)
    problems += _duplicates(con, table, name, schema, fields, invalid)
    count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if rows is not None and rows != count:
        note = f'expected is "{rows}" and actual is "{count}"'
        problems.append(Problem(name, None, (9, 0), None, "row-count", note))
    return problems


def _keys_as_text(schema: dict[str, Any], fields: list[Field]) -> bool:
    """Whether every unique or primary key field is text (keys are compared as written, not as values)."""
    key = schema.get("primaryKey") or []
    keyed = {key} if isinstance(key, str) else set(key)
    return all(field.type == "string" for field in fields
               if field.name in keyed or field.constraints.get("unique"))


def _invalid_cells(problems: list[Problem]) -> defaultdict[str, set[int]]:
    """The rows of each field whose cell is not of the field's type."""
    invalid: defaultdict[str, set[int]] = defaultdict(set)
    for problem in problems:
        if problem.kind == "type-error" and problem.field:
            invalid[problem.field].add(problem.row)
    return invalid


def _header(path: Path) -> list[str] | None:
    """The first record of a CSV file (None if it has none or is not UTF-8)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def _load(con: Con, table: str, path: Path, names: list[str], missing: list[str]) -> bool:
    """A CSV as a view of text columns (missing: NULL) and `n`, its row number; False if DuckDB cannot."""
    columns = "{" + ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in names) + "}"
    cells = ", ".join(f"CASE WHEN {_column(name)} IN ({_list(missing)}) THEN NULL ELSE {_column(name)} END "
                      f"AS {_column(name)}" for name in names) if missing else "*"
    try:
        con.execute(f"CREATE TEMP TABLE {table}_cells AS SELECT {cells} "
                    f"FROM read_csv({_literal(str(path))}, header = true, auto_detect = false, "
                    f"delim = ',', quote = '\"', escape = '\"', strict_mode = true, columns = {columns})")
        # Rows keep the file's order (DuckDB preserves insertion order): rowid 0 is row 2.
        con.execute(f"CREATE TEMP VIEW {table} AS SELECT *, rowid + {FIRST_ROW} AS n FROM {table}_cells")
    except duckdb.Error:
        return False
    return True


def _cell_problems(con: Con, table: str, name: str, fields: list[Field], missing: list[str]) -> list[Problem]:
    """The problems frictionless finds in the cells of a table, reading only the cells SQL suspects."""
    readers = [field.create_cell_reader() for field in fields]
    suspects = [_suspect(con, table, field, reader) for field, reader in zip(fields, readers, strict=True)]
    columns = ", ".join(_column(field.name) for field in fields)
    rows = con.execute(f"SELECT n, {', '.join(suspects)}, {columns} FROM {table} "
                       f"WHERE {' OR '.join(suspects)} ORDER BY n").fetchall()
    problems = []
    for row, *found in rows:
        flags, cells = found[:len(fields)], found[len(fields):]
        for number, (field, flag, cell) in enumerate(zip(fields, flags, cells, strict=True)):
            if flag:
                text = missing[0] if cell is None and missing else cell or ""
                where = Problem(name, row, (0, number), field.name, "", "")
                problems += _read_cell(where, readers[number], text)
    return problems


def _suspect(con: Con, table: str, field: Field, reader: CellReader) -> str:
    """SQL true for a field's cells that may be wrong: all that frictionless rejects, and maybe some more."""
    column = _column(field.name)
    form = _sql_form(field)
    missing = "TRUE" if field.constraints.get("required") else "FALSE"
    if form is None:  # frictionless reads each distinct value
        values = [row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM {table} "
                                                f"WHERE {column} IS NOT NULL").fetchall()]
        bad = [value for value in values if reader(value)[1]]
        return f"CASE WHEN {column} IS NULL THEN {missing} ELSE {column} IN ({_list(bad) or 'NULL'}) END"
    fine = f"regexp_full_match({column}, {_literal(form)})" if form else "TRUE"
    if field.type in CALENDAR_CASTS:
        fine += f" AND TRY_CAST({column} AS {CALENDAR_CASTS[field.type]}) IS NOT NULL AND {column} >= '0001'"
    if "enum" in field.constraints:
        fine += f" AND {column} IN ({_list([str(value) for value in field.constraints['enum']])})"
    return f"CASE WHEN {column} IS NULL THEN {missing} ELSE NOT ({fine}) END"


def _sql_form(field: Field) -> str | None:
    """The strict written form of a field's values SQL checks ("": any text); None if frictionless must."""
    if not set(field.constraints) <= SQL_CONSTRAINTS or any(map(field.has_defined, READING_PROPERTIES)):
        return None
    if "enum" in field.constraints and field.type != "string":
        return None  # an enum of numbers or dates compares values, not text
    if field.type == "list" and getattr(field, "item_type", "string") != "string":
        return None
    return STRICT_FORMS.get((field.type, field.format))


def _read_cell(where: Problem, reader: CellReader, cell: str) -> list[Problem]:
    """The problems frictionless's reader of a field finds in one cell (its type, else its constraints)."""
    notes = dict(reader(cell)[1] or {})
    if type_note := notes.pop("type", None):
        return [replace(where, kind="type-error", note=type_note)]
    return [replace(where, kind="constraint-error", note=note) for note in notes.values()]


def _blank_rows(con: Con, table: str, name: str, names: list[str], problems: list[Problem]) -> list[Problem]:
    """Rows with every cell missing are one blank-row problem each, instead of their cells' problems."""
    every = " AND ".join(f"{_column(column)} IS NULL" for column in names)
    blank = {row[0] for row in con.execute(f"SELECT n FROM {table} WHERE {every}").fetchall()}
    if not blank:
        return problems
    return [p for p in problems if p.row not in blank] + [Problem(name, row, (0, -1), None, "blank-row", "")
                                                         for row in sorted(blank)]


def _duplicates(con: Con, table: str, name: str, schema: dict[str, Any], fields: list[Field],
                invalid: dict[str, set[int]]) -> list[Problem]:
    """Unique fields and the primary key: each row repeating an earlier one's value, as frictionless names it.

    Like frictionless, a cell that is missing or not of its type counts as no value; a row whose key
    has none is a problem of its own.
    """
    same = "the same as in the row at position {}"
    problems = [Problem(name, row, (1, number), field.name, "unique-error", same.format(earlier))
                for number, field in enumerate(fields) if field.constraints.get("unique")
                for row, earlier in _repeats(con, table, [field.name], invalid)]
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    if not key:
        return problems
    problems += [Problem(name, row, (2, 0), None, "primary-key", same.format(earlier))
                 for row, earlier in _repeats(con, table, key, invalid)]
    none = " AND ".join(f"{_column(column)} IS NULL" for column in key)
    empty = {row[0] for row in con.execute(f"SELECT n FROM {table} WHERE {none}").fetchall()}
    if len(key) == 1:
        empty |= invalid.get(key[0], set())
    note = 'cells composing the primary keys are all "None"'
    return problems + [Problem(name, row, (2, 0), None, "primary-key", note) for row in sorted(empty)]


def _repeats(con: Con, table: str, key: list[str], invalid: dict[str, set[int]]) -> list[tuple[int, int]]:
    """(row, the latest earlier row with the same key) for each repeated key value, in row order."""
    columns = ", ".join(_column(column) for column in key)
    some = " OR ".join(f"{_column(column)} IS NOT NULL" for column in key)
    rows = con.execute(f"SELECT n, {columns} FROM {table} WHERE ({columns}) IN "
                       f"(SELECT ({columns}) FROM {table} WHERE {some} GROUP BY ALL HAVING count(*) > 1) "
                       "ORDER BY n").fetchall()
    seen: dict[tuple, int] = {}
    repeats = []
    for row, *cells in rows:
        value = tuple(None if row in invalid.get(column, ()) else cell
                      for column, cell in zip(key, cells, strict=True))
        if set(value) == {None}:
            continue
        if value in seen:
            repeats.append((row, seen[value]))
        seen[value] = row
    return repeats


def _foreign_keys(con: Con, resource: dict[str, Any], tables: dict[str, str],
                  invalid: dict[str, dict[str, set[int]]]) -> list[Problem]:
    """Rows whose foreign key names no row of the referenced table (an anti-join of the cells as written).

    As in frictionless, a cell not of its type counts as missing, and a row whose key cells are all
    missing refers to nothing.
    """
    name = resource["name"]
    problems = []
    for number, key in enumerate(resource["schema"].get("foreignKeys", [])):
        own, their = checks.field_names(key["fields"]), checks.field_names(key["reference"]["fields"])
        target = key["reference"].get("resource") or name  # "" refers to the table itself
        if target not in tables:
            continue  # frictionless checked that table whole
        mine = [_value("s", field, invalid[name][field]) for field in own]
        theirs = [_value("t", field, invalid[target][field]) for field in their]
        same = " AND ".join(f"{b} IS NOT DISTINCT FROM {a}" for a, b in zip(mine, theirs, strict=True))
        rows = con.execute(f"SELECT s.n, {', '.join(mine)} FROM {tables[name]} s "
                           f"WHERE ({' OR '.join(f'{a} IS NOT NULL' for a in mine)}) AND NOT EXISTS "
                           f"(SELECT 1 FROM {tables[target]} t WHERE {same} "
                           f"AND ({' OR '.join(f'{b} IS NOT NULL' for b in theirs)}))").fetchall()
        note = 'values {} not found in the lookup table "{}" as {}'
        problems += [Problem(name, row, (3, number), ", ".join(own), "foreign-key",
                             note.format(list(values), target, their)) for row, *values in rows]
    return problems


def _value(alias: str, field: str, invalid: set[int]) -> str:
    """A key cell in SQL, NULL in the rows where it is not of its type."""
    cell = f"{alias}.{_column(field)}"
    if not invalid:
        return cell
    return f"CASE WHEN {alias}.n IN ({', '.join(map(str, sorted(invalid)))}) THEN NULL ELSE {cell} END"


def _column(name: str) -> str:
    """A column name quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A string quoted for SQL."""
    return "'" + text.replace("'", "''") + "'"


def _list(values: list[str]) -> str:
    """Strings as an SQL list's items."""
    return ", ".join(_literal(value) for value in values)
