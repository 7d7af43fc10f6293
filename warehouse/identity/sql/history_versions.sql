-- A new version of every listing seen in this run ($run_id, $run_at) whose content differs from its
-- latest version (or that has none yet), with the fields that changed.
INSERT INTO listing_versions
WITH latest AS (
    SELECT * FROM listing_versions
    QUALIFY row_number() OVER (PARTITION BY listing_id ORDER BY version DESC) = 1
),
seen AS (
    SELECT c.*, sha256(CAST(c.content AS VARCHAR)) AS content_hash
    FROM listing_content AS c
    JOIN listings AS l USING (listing_id)
    WHERE l.last_run_id = $run_id
)
SELECT
    s.listing_id,
    coalesce(p.version, 0) + 1 AS version,
    s.source,
    s.source_key,
    $run_id AS run_id,
    CAST($run_at AS TIMESTAMPTZ) AS recorded_at,
    s.content_hash,
    s.content,
    CASE WHEN p.content IS NULL THEN [] ELSE [
        k FOR k IN list_sort(list_distinct(json_keys(s.content) || json_keys(p.content)))
        IF json_extract_string(s.content, k) IS DISTINCT FROM json_extract_string(p.content, k)
    ] END AS changed
FROM seen AS s
LEFT JOIN latest AS p USING (listing_id)
WHERE p.content_hash IS DISTINCT FROM s.content_hash
