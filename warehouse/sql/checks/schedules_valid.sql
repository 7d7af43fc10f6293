-- Every schedule row belongs to a listing and is a valid rule: WEEKLY days without ordinals,
-- MONTHLY days with them, HH:MM times, an interval of 1 to 12, a known origin.
SELECT s.listing_id, s.position, s.freq, s.byday, s.opens_at, s.closes_at, s.origin
FROM schedules AS s
LEFT JOIN listings AS l USING (listing_id)
WHERE l.listing_id IS NULL
   OR s.freq NOT IN ('WEEKLY', 'MONTHLY')
   OR s."interval" NOT BETWEEN 1 AND 12
   OR (s.freq = 'WEEKLY' AND NOT regexp_full_match(s.byday, '(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*'))
   OR (s.freq = 'MONTHLY'
       AND NOT regexp_full_match(s.byday, '[+-]?[1-5](MO|TU|WE|TH|FR|SA|SU)(,[+-]?[1-5](MO|TU|WE|TH|FR|SA|SU))*'))
   OR (s.opens_at IS NOT NULL AND NOT regexp_full_match(s.opens_at, '([01][0-9]|2[0-3]):[0-5][0-9]'))
   OR (s.closes_at IS NOT NULL AND NOT regexp_full_match(s.closes_at, '([01][0-9]|2[0-3]):[0-5][0-9]'))
   OR s.origin NOT IN ('source', 'text')
