-- The exported directory: one row per listing, columns in the order of schemas.listing.DirectoryRow
-- (without next_meeting_at, which depends on the time of the export: the export queries in
-- warehouse/publish/sql/export_*.sql compute it from `schedule` when they run). parent_name is the
-- parent's name; its contact points stay on its own row.
CREATE OR REPLACE VIEW directory AS
SELECT
    l.listing_id, l.entity_id, l.kind, l.organization, l.name, l.parent, p.name AS parent_name,
    l.description, l.audiences, l.topics, l.attendance, l.location_name, l.street, l.city, l.state, l.postal_code,
    l.country, l.latitude, l.longitude, l.geo_precision, l.timezone, l.service_area, l.phone, l.email,
    l.website, l.registration_url, l.conference_url, l.schedule_text, coalesce(r.schedule, []) AS schedule,
    l.source, l.source_key, l.source_url, l.fetched_at, l.content_sha256, l.first_seen, l.last_seen,
    l.status
FROM listings AS l
LEFT JOIN listings AS p ON p.listing_id = l.parent
LEFT JOIN listing_schedules AS r ON r.listing_id = l.listing_id;
