"""HSDS 3.0 compiled JSON objects assembled from the tables: an organization with its services,
a service with its schedules, locations, phones, contacts and attributes (the shape of the HSDS
API and of schema/compiled/*.json). Empty values are left out, as the JSON schemas want.
"""

from typing import Any

from warehouse.publish.hsds import Tables


def _clean(row: dict) -> dict:
    """A row without empty values."""
    return {key: value for key, value in row.items() if value not in (None, "")}


def _where(tables: Tables, table: str, **match: str) -> list[dict]:
    """Rows of a table whose fields equal the given values."""
    return [_clean(r) for r in tables[table] if all(r.get(k) == v for k, v in match.items())]


def _attributes(tables: Tables, link_id: str) -> list[dict]:
    """The attributes of a record, each with its taxonomy term."""
    terms = {t["id"]: _clean(t) for t in tables["taxonomy_term"]}
    found = _where(tables, "attribute", link_id=link_id)
    return [{**a, "taxonomy_term": terms[a["taxonomy_term_id"]]} for a in found]


def location_object(tables: Tables, location_id: str) -> dict[str, Any]:
    """A location with its addresses, phones and schedules."""
    location = next(_clean(r) for r in tables["location"] if r["id"] == location_id)
    return {**location, "addresses": _where(tables, "address", location_id=location_id),
            "phones": _where(tables, "phone", location_id=location_id),
            "schedules": _where(tables, "schedule", location_id=location_id),
            "metadata": _where(tables, "metadata", resource_id=location_id)}


def organization_object(tables: Tables, org_id: str, with_services: bool = True) -> dict[str, Any]:
    """An organization with its contacts, phones, locations, attributes, provenance and services."""
    org = next(_clean(r) for r in tables["organization"] if r["id"] == org_id)
    found = {**org, "contacts": _where(tables, "contact", organization_id=org_id),
             "phones": _where(tables, "phone", organization_id=org_id),
             "locations": [location_object(tables, loc["id"])
                           for loc in _where(tables, "location", organization_id=org_id)],
             "attributes": _attributes(tables, org_id),
             "metadata": _where(tables, "metadata", resource_id=org_id)}
    if with_services:
        found["services"] = [service_object(tables, s["id"], with_organization=False)
                             for s in _where(tables, "service", organization_id=org_id)]
    return found


def service_object(tables: Tables, service_id: str, with_organization: bool = True) -> dict[str, Any]:
    """A service with its schedules, locations (service_at_locations), phones, contacts, attributes."""
    service = next(_clean(r) for r in tables["service"] if r["id"] == service_id)
    places = [{**sal, "location": location_object(tables, sal["location_id"])}
              for sal in _where(tables, "service_at_location", service_id=service_id)]
    found = {**service, "schedules": _where(tables, "schedule", service_id=service_id),
             "service_at_locations": places,
             "phones": _where(tables, "phone", service_id=service_id),
             "contacts": _where(tables, "contact", service_id=service_id),
             "attributes": _attributes(tables, service_id),
             "metadata": _where(tables, "metadata", resource_id=service_id)}
    if with_organization:
        found["organization"] = organization_object(tables, service["organization_id"], with_services=False)
    return found
