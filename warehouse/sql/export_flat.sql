-- The directory for CSV: lists joined by ';', timestamps as ISO 8601 UTC strings, and every
-- cell through csv_cell (csv_cell_macro.sql) so no cell can start a spreadsheet formula.
WITH flat AS (
    SELECT * REPLACE (
        array_to_string(audiences, ';') AS audiences,
        array_to_string(topics, ';') AS topics,
        array_to_string(service_area, ';') AS service_area,
        strftime(fetched_at, '%Y-%m-%dT%H:%M:%SZ') AS fetched_at,
        strftime(first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen,
        strftime(last_seen, '%Y-%m-%dT%H:%M:%SZ') AS last_seen
    )
    FROM directory
)
SELECT csv_cell(COLUMNS(*))
FROM flat
ORDER BY listing_id
