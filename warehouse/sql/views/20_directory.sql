-- The exported directory: one row per listing, columns in the order of schemas.listing.DirectoryRow
-- (without next_meeting_at, which depends on the time of the export: the export queries in
-- warehouse/sql/export_*.sql compute it from `schedule` when they run).
CREATE OR REPLACE VIEW directory AS
WITH rules AS (
    SELECT
        listing_id,
        list({'freq': freq, 'interval': "interval", 'byday': byday, 'opens_at': opens_at,
              'closes_at': closes_at, 'timezone': timezone} ORDER BY position) AS schedule
    FROM schedules
    GROUP BY listing_id
)
SELECT
    l.listing_id, l.entity_id, l.kind, l.organization, l.name, l.parent, l.description, l.audiences,
    l.topics, l.attendance, l.street, l.city, l.state, l.postal_code, l.country, l.latitude,
    l.longitude, l.geo_precision, l.timezone, l.service_area, l.phone, l.email, l.website,
    l.registration_url, l.conference_url, l.schedule_text, coalesce(r.schedule, []) AS schedule,
    l.source, l.source_key, l.source_url, l.fetched_at, l.content_sha256, l.first_seen, l.last_seen,
    l.status
FROM listings AS l
LEFT JOIN rules AS r USING (listing_id);
