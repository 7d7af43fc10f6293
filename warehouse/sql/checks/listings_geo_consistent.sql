-- A point has a precision and lies on Earth; no point means precision 'none'.
SELECT listing_id, latitude, longitude, geo_precision
FROM listings
WHERE (latitude IS NULL) <> (longitude IS NULL)
   OR ((latitude IS NULL) <> (geo_precision = 'none'))
   OR latitude NOT BETWEEN -90 AND 90
   OR longitude NOT BETWEEN -180 AND 180
