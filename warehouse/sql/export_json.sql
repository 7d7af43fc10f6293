-- The directory for JSON Lines: lists as arrays, timestamps as ISO 8601 UTC strings.
SELECT * REPLACE (
    strftime(fetched_at, '%Y-%m-%dT%H:%M:%SZ') AS fetched_at,
    strftime(first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen,
    strftime(last_seen, '%Y-%m-%dT%H:%M:%SZ') AS last_seen
)
FROM directory
ORDER BY listing_id
