-- Count, per listing of each source that was loaded in this run ($run_id), the loaded runs of its
-- source in a row that did not list it (0 when this run listed it). Failed or quarantined sources
-- are not touched, so they never turn their listings inactive; nor are the listings of a page this
-- run lost (unfetched or unparsed): they stay as they were.
UPDATE listings
SET missed_runs = CASE WHEN last_run_id = $run_id THEN 0 ELSE missed_runs + 1 END
WHERE source IN (SELECT source FROM run_sources WHERE run_id = $run_id AND status IN ('ok', 'degraded'))
  AND NOT coalesce(last_run_id <> $run_id AND source_url IN (SELECT url FROM lost_pages WHERE run_id = $run_id),
                   false)
