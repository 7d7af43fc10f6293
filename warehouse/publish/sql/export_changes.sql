-- The change report of the run being exported ($run_id), for changes.jsonl.
SELECT c.run_id, c.change, c.listing_id, l.entity_id, c.source, c.source_key, c.name, c.fields
FROM run_changes AS c
LEFT JOIN listings AS l USING (listing_id)
WHERE c.run_id = $run_id
ORDER BY c.change, c.source, c.listing_id
