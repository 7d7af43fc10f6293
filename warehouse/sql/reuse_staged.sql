-- Stage again, under this run ($run_id), the listings an earlier run ($previous) parsed from the same
-- unchanged pages of one source ($source): every page answered 304, so parsing would give the same
-- rows. Each listing's fetched_at becomes this run's fetch of its page.
INSERT INTO staged_listings BY NAME
WITH fetched AS (
    SELECT url, max(fetched_at) AS fetched_at
    FROM fetches
    WHERE run_id = $run_id AND source = $source AND fetched_at IS NOT NULL
    GROUP BY url
)
SELECT s.* REPLACE ($run_id AS run_id, coalesce(f.fetched_at, s.fetched_at) AS fetched_at)
FROM staged_listings AS s
LEFT JOIN fetched AS f ON f.url = s.source_url
WHERE s.run_id = $previous AND s.source = $source
