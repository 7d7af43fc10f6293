-- Count, per listing of each source that succeeded in this run ($run_id), the successful runs of its
-- source in a row that did not list it (0 when this run listed it). Failed or quarantined sources
-- are not touched, so they never turn their listings inactive.
UPDATE listings
SET missed_runs = CASE WHEN last_run_id = $run_id THEN 0 ELSE missed_runs + 1 END
WHERE source IN (SELECT source FROM run_sources WHERE run_id = $run_id AND status = 'ok')
