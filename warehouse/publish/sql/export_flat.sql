-- The directory for CSV: lists joined by ';', timestamps as ISO 8601 UTC strings, the schedule
-- as a JSON array of rules (empty when none), next_meeting_at as export_view.sql computed it.
-- Written by db.copy_to, which passes every cell of a CSV through csv_safe's formula guard.
WITH flat AS (
    SELECT
        * REPLACE (
            array_to_string(audiences, ';') AS audiences,
            array_to_string(topics, ';') AS topics,
            array_to_string(service_area, ';') AS service_area,
            CASE WHEN len(schedule) > 0 THEN CAST(to_json(schedule) AS VARCHAR) END AS schedule,
            strftime(fetched_at, '%Y-%m-%dT%H:%M:%SZ') AS fetched_at,
            strftime(first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen,
            strftime(last_seen, '%Y-%m-%dT%H:%M:%SZ') AS last_seen
        )
    FROM export_directory
)
SELECT *
FROM flat
ORDER BY listing_id
