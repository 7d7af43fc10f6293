"""Write the HSDS 3.0 tables as a tabular data package (hsds/), with the schema files it follows.

The resources, their Table Schemas and file names are those of the HSDS 3.0 reference
datapackage.json (carried in schemas/standards/hsds-3.0, CC BY-SA 4.0), restricted to the
tables the directory uses. The package carries copies of the JSON schema files of those tables
with the licence text and a SOURCE note, and is validated with frictionless before it is published
(warehouse/publish/checks.py).
"""

import copy
import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from schemas.errors import SupportDirError
from warehouse import csv_safe
from warehouse.publish.hsds import Tables, used_tables

STANDARDS = "schemas"
HSDS_DIR = "standards/hsds-3.0"


class ExportInvalid(SupportDirError):
    """An export did not validate against its schema; nothing was published."""


def standards_path(*parts: str) -> Path:
    """A file of the standards carried in the schemas package."""
    return Path(str(resources.files(STANDARDS).joinpath(*parts)))


def reference_package() -> dict[str, Any]:
    """The HSDS 3.0 reference datapackage.json."""
    return json.loads(standards_path(HSDS_DIR, "datapackage.json").read_text(encoding="utf-8"))


def hsds_resources(tables: Tables) -> list[dict[str, Any]]:
    """The reference resources of the tables used, foreign keys kept only between them, with rows."""
    reference = {r["name"]: r for r in reference_package()["resources"]}
    used = list(used_tables(tables))
    found = []
    for name in used:
        resource = copy.deepcopy(reference[name])
        keys = resource["schema"].get("foreignKeys", [])
        resource["schema"]["foreignKeys"] = [k for k in keys if k["reference"]["resource"] in used]
        resource["schema"]["missingValues"] = [""]
        resource.update(encoding="utf-8", rows=len(tables[name]))
        found.append(resource)
    return found


def write_tables(tables: Tables, folder: Path) -> dict[str, int]:
    """Write one CSV per table used (HSDS column order), the descriptor and the schema files."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptor_resources = hsds_resources(tables)
    for resource in descriptor_resources:
        columns = [field["name"] for field in resource["schema"]["fields"]]
        csv_safe.write_rows(folder / resource["path"], columns, tables[resource["name"]])
    reference = reference_package()
    descriptor = {
        "name": "peer-support-directory-hsds",
        "title": "Peer-support organizations and groups as Open Referral HSDS 3.0",
        "profile": "tabular-data-package",
        "version": reference["version"],
        "homepage": reference["homepage"],
        "licenses": [{"name": "ODC-By-1.0", "path": "https://opendatacommons.org/licenses/by/1-0/",
                      "title": "Open Data Commons Attribution License 1.0 (the data)"}],
        "sources": [{"title": "Human Services Data Specification 3.0: an Open Referral resource "
                              "(https://openreferral.org/), CC BY-SA 4.0; the schema files are in schema/",
                     "path": "schema/SOURCE.txt"}],
        "resources": descriptor_resources,
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    _copy_schemas([r["name"] for r in descriptor_resources], folder / "schema")
    return {f"hsds/{r['path']}": r["rows"] for r in descriptor_resources}


def _copy_schemas(names: list[str], target: Path) -> None:
    """The JSON schema files of the tables used, the licence and where they come from."""
    target.mkdir(exist_ok=True)
    for name in names:
        shutil.copyfile(standards_path(HSDS_DIR, "schema", f"{name}.json"), target / f"{name}.json")
    shutil.copyfile(standards_path(HSDS_DIR, "LICENSE"), target / "LICENSE")
    note = standards_path(HSDS_DIR, "SOURCE.txt").read_text(encoding="utf-8").strip()
    (target / "SOURCE.txt").write_text(
        f"{note}\nThese are unmodified copies of the HSDS 3.0 JSON schema files of the tables this package "
        "uses; the Table Schemas in ../datapackage.json are those of the HSDS 3.0 datapackage.json, "
        "restricted to the same tables.\n", encoding="utf-8")
