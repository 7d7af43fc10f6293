-- The change report of one run ($run_id): listings new, changed, missing, inactive or returned.
SELECT c.run_id, c.change, c.listing_id, l.entity_id, c.source, c.source_key, c.name, c.fields
FROM run_changes AS c
LEFT JOIN listings AS l USING (listing_id)
WHERE c.run_id = $run_id
ORDER BY CASE c.change WHEN 'new' THEN 1 WHEN 'changed' THEN 2 WHEN 'returned' THEN 3
                       WHEN 'missing' THEN 4 ELSE 5 END, c.source, c.name, c.listing_id
