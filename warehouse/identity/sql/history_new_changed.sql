-- Report the listings of this run ($run_id) that are new (first version) or changed (a later one).
INSERT INTO run_changes
SELECT
    v.run_id, v.listing_id, v.source, v.source_key, l.name,
    CASE WHEN v.version = 1 THEN 'new' ELSE 'changed' END AS change,
    v.changed AS fields
FROM listing_versions AS v
JOIN listings AS l USING (listing_id)
WHERE v.run_id = $run_id
