-- The latest finished runs, newest first ($limit).
SELECT summary
FROM runs
WHERE summary IS NOT NULL
ORDER BY started_at DESC
LIMIT $limit
