-- A listing id belongs to one source record forever: every version and crosswalk row of an id
-- names the same source and source_key as the listing holding it (ids are never handed on).
SELECT l.listing_id
FROM listings AS l
WHERE EXISTS (SELECT 1 FROM listing_versions AS v
              WHERE v.listing_id = l.listing_id AND (v.source <> l.source OR v.source_key <> l.source_key))
   OR EXISTS (SELECT 1 FROM entity_crosswalk AS c
              WHERE c.listing_id = l.listing_id AND (c.source <> l.source OR c.source_key <> l.source_key))
