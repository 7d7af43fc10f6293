-- Every version of one listing ($listing_id), oldest first, with the run's status events beside it.
SELECT v.version, v.run_id, v.recorded_at, v.changed, v.content
FROM listing_versions AS v
WHERE v.listing_id = $listing_id
ORDER BY v.version
