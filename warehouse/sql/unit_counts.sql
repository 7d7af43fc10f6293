-- Per unit of one source ($source: its listings' source_key is '<unit>/...'): the listings staged
-- in run $run_id, and those the warehouse holds and has not made inactive. Read before the run's
-- normalize, the latter are the last good run's: for a unit lost this run, the listings kept.
WITH staged AS (
    SELECT split_part(source_key, '/', 1) AS unit, count(*) AS listings
    FROM staged_listings
    WHERE run_id = $run_id AND source = $source
    GROUP BY ALL
),
held AS (
    SELECT split_part(source_key, '/', 1) AS unit, count(*) AS kept
    FROM listings
    WHERE source = $source AND status <> 'inactive'
    GROUP BY ALL
)
SELECT unit, coalesce(s.listings, 0) AS listings, coalesce(h.kept, 0) AS kept
FROM staged AS s
FULL JOIN held AS h USING (unit)
