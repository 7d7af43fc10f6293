-- The entities for CSV: lists joined by ';', timestamps as ISO 8601 UTC strings.
SELECT * REPLACE (
    array_to_string(organizations, ';') AS organizations,
    array_to_string(service_area, ';') AS service_area,
    array_to_string(listing_ids, ';') AS listing_ids,
    array_to_string(sources, ';') AS sources,
    array_to_string(source_urls, ';') AS source_urls,
    strftime(first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen,
    strftime(last_seen, '%Y-%m-%dT%H:%M:%SZ') AS last_seen
)
FROM export_entities
ORDER BY entity_id
