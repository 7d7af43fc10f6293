-- Report the listings seen in this run ($run_id) whose latest status event was 'inactive'.
INSERT INTO run_changes
WITH last_event AS (
    SELECT listing_id, change
    FROM run_changes
    WHERE change IN ('inactive', 'returned') AND run_id <> $run_id
    QUALIFY row_number() OVER (PARTITION BY listing_id ORDER BY run_id DESC) = 1
)
SELECT $run_id, l.listing_id, l.source, l.source_key, l.name, 'returned', []
FROM listings AS l
JOIN last_event AS e USING (listing_id)
WHERE l.last_run_id = $run_id AND e.change = 'inactive'
