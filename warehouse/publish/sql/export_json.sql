-- The directory for JSON Lines: lists and the schedule as arrays, timestamps as ISO 8601 UTC
-- strings, next_meeting_at as export_view.sql computed it (ISO 8601 with its UTC offset).
SELECT
    * REPLACE (
        strftime(fetched_at, '%Y-%m-%dT%H:%M:%SZ') AS fetched_at,
        strftime(first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen,
        strftime(last_seen, '%Y-%m-%dT%H:%M:%SZ') AS last_seen
    )
FROM export_directory
ORDER BY listing_id
