"""Frictionless Table Schema of the export, generated from the DirectoryRow model."""

import types
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from schemas.listing import DirectoryRow

LIST_DELIMITER = ";"
PRIMARY_KEY = "listing_id"


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """Return the inner type of `X | None` and whether None was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        return args[0], True
    return annotation, False


def _field_type(annotation: Any) -> dict[str, Any]:
    """Map one Python annotation to a Table Schema type and constraints."""
    if get_origin(annotation) is Literal:
        return {"type": "string", "constraints": {"enum": list(get_args(annotation))}}
    if get_origin(annotation) is list:
        item = get_args(annotation)[0]
        if isinstance(item, type) and issubclass(item, BaseModel):
            return {"type": "array"}  # a list of records: a JSON array in the CSV cell
        return {"type": "list", "delimiter": LIST_DELIMITER, "itemType": "string"}
    if annotation is float:
        return {"type": "number"}
    if annotation is int:
        return {"type": "integer"}
    if annotation is datetime:
        return {"type": "datetime"}
    return {"type": "string"}


def table_schema(model: type[BaseModel] = DirectoryRow,
                 primary_key: str | None = PRIMARY_KEY) -> dict[str, Any]:
    """Build the Table Schema descriptor for a row model."""
    fields = []
    for name, info in model.model_fields.items():
        inner, optional = _unwrap_optional(info.annotation)
        spec: dict[str, Any] = {"name": name, "description": info.description or ""}
        spec.update(_field_type(inner))
        if not optional and get_origin(inner) is not list:
            spec.setdefault("constraints", {})["required"] = True
        fields.append(spec)
    descriptor: dict[str, Any] = {"fields": fields}
    if primary_key:
        descriptor["primaryKey"] = [primary_key]
    descriptor["missingValues"] = [""]
    return descriptor


def export_columns(model: type[BaseModel] = DirectoryRow) -> list[str]:
    """Column order of the flat export."""
    return list(model.model_fields)
