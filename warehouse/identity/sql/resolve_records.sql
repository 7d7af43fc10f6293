-- What the matcher needs of every listing (active or not), with its source's family (source_traits;
-- else the source itself) and its meeting times from `schedules`
-- (one 'FREQ/INTERVAL/BYDAY@HH:MM' per rule; none while schedules is empty, and the pass is a no-op).
WITH slots AS (
    SELECT
        listing_id,
        list_sort(list_distinct(list(
            freq || '/' || "interval" || '/' || array_to_string(list_sort(string_split(byday, ',')), ',')
            || '@' || coalesce(opens_at, '')
        ))) AS slots
    FROM schedules
    GROUP BY listing_id
)
SELECT
    l.listing_id, l.source, l.source_key, l.kind, l.name, l.organization, l.city, l.state, l.postal_code, l.phone,
    l.website, l.email, coalesce(l.service_area, []) AS service_area, coalesce(s.slots, []) AS slots,
    strftime(l.first_seen, '%Y-%m-%dT%H:%M:%S.%fZ') AS first_seen, coalesce(t.family, l.source) AS family
FROM listings AS l
LEFT JOIN slots AS s USING (listing_id)
LEFT JOIN source_traits AS t USING (source)
ORDER BY l.listing_id
