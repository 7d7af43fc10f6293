-- Every version of one listing ($listing_id), oldest first, with the content of the version before
-- it (NULL for the first), so each changed field can be shown as old → new.
SELECT
    v.version, v.run_id, v.recorded_at, v.changed, v.content,
    lag(v.content) OVER (ORDER BY v.version) AS previous
FROM listing_versions AS v
WHERE v.listing_id = $listing_id
ORDER BY v.version
