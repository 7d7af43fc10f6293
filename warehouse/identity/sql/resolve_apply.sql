-- Give every listing the entity the latest resolve put it in (from entity_crosswalk).
UPDATE listings AS l
SET entity_id = c.entity_id
FROM entity_crosswalk AS c
WHERE c.listing_id = l.listing_id
  AND l.entity_id IS DISTINCT FROM c.entity_id
