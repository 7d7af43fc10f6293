-- Report the active listings this run ($run_id) missed: 'missing' until they have been missed by
-- $inactive_after successful runs of their source in a row, then 'inactive'.
INSERT INTO run_changes
SELECT
    $run_id, listing_id, source, source_key, name,
    CASE WHEN missed_runs >= $inactive_after THEN 'inactive' ELSE 'missing' END,
    []
FROM listings
WHERE status = 'active' AND missed_runs > 0
  AND last_run_id <> $run_id
  AND source IN (SELECT source FROM run_sources WHERE run_id = $run_id AND status IN ('ok', 'degraded'))
  AND NOT coalesce(source_url IN (SELECT url FROM lost_pages WHERE run_id = $run_id), false)
