-- The entities for JSON Lines: lists as arrays, timestamps as ISO 8601 UTC strings.
SELECT * REPLACE (
    strftime(first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen,
    strftime(last_seen, '%Y-%m-%dT%H:%M:%SZ') AS last_seen
)
FROM export_entities
ORDER BY entity_id
