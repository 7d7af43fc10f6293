-- Per URL, the newest archived 200 response with an ETag or Last-Modified (for conditional GET).
SELECT url, etag, last_modified, warc_file, warc_offset
FROM fetches
WHERE status = 200
  AND NOT not_modified
  AND warc_file IS NOT NULL
  AND (etag IS NOT NULL OR last_modified IS NOT NULL)
QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1
