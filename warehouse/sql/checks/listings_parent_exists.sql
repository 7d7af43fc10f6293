-- Every parent is a listing of the same source.
SELECT child.listing_id, child.parent
FROM listings AS child
LEFT JOIN listings AS parent ON parent.listing_id = child.parent AND parent.source = child.source
WHERE child.parent IS NOT NULL AND parent.listing_id IS NULL
