-- Every coded field holds an allowed value.
SELECT listing_id, kind, attendance, geo_precision, status
FROM listings
WHERE kind NOT IN ('organization', 'chapter', 'group', 'program', 'line')
   OR attendance NOT IN ('in_person', 'online', 'hybrid', 'phone', 'unknown')
   OR geo_precision NOT IN ('rooftop', 'source', 'zip', 'city', 'state', 'none')
   OR status NOT IN ('active', 'inactive', 'unverified')
