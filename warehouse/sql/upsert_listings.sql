-- Merge one run's geocoded listings into the current listings ($run_id, $run_at).
-- A new listing gets first_seen; a known one keeps it. Listings the run did not see are untouched.
-- Attendance was derived by attendance_listings.sql (the rules are listed there).
INSERT INTO listings BY NAME
WITH resolved AS (
    SELECT
        g.*,
        CASE
            WHEN g.parent_key IS NULL THEN NULL
            WHEN EXISTS (SELECT 1 FROM geocoded AS p WHERE p.source = g.source AND p.source_key = g.parent_key)
              OR EXISTS (SELECT 1 FROM listings AS p WHERE p.source = g.source AND p.source_key = g.parent_key)
            THEN listing_uuid(g.source, g.parent_key)
        END AS parent
    FROM geocoded AS g
)
SELECT
    listing_id, source, source_key, kind, organization, name, parent, description, audiences, topics,
    coalesce(attendance, 'unknown') AS attendance, address_text, street, city, state, postal_code, country,
    latitude, longitude, geo_precision, timezone, service_area, phone, phone_extension, email, website,
    registration_url, conference_url, conference_phone, schedule_text, meeting_types, location_name,
    source_url, fetched_at, content_sha256,
    CAST($run_at AS TIMESTAMPTZ) AS first_seen,
    CAST($run_at AS TIMESTAMPTZ) AS last_seen,
    'active' AS status,
    $run_id AS last_run_id
FROM resolved
ON CONFLICT (listing_id) DO UPDATE SET
    kind = excluded.kind, organization = excluded.organization, name = excluded.name,
    parent = excluded.parent, description = excluded.description, audiences = excluded.audiences,
    topics = excluded.topics, attendance = excluded.attendance, address_text = excluded.address_text,
    street = excluded.street, city = excluded.city, state = excluded.state,
    postal_code = excluded.postal_code, country = excluded.country, latitude = excluded.latitude,
    longitude = excluded.longitude, geo_precision = excluded.geo_precision, timezone = excluded.timezone,
    service_area = excluded.service_area, phone = excluded.phone,
    phone_extension = excluded.phone_extension, email = excluded.email, website = excluded.website,
    registration_url = excluded.registration_url, conference_url = excluded.conference_url,
    conference_phone = excluded.conference_phone, schedule_text = excluded.schedule_text,
    meeting_types = excluded.meeting_types, location_name = excluded.location_name,
    source_url = excluded.source_url, fetched_at = excluded.fetched_at,
    content_sha256 = excluded.content_sha256, last_seen = excluded.last_seen, status = 'active',
    last_run_id = excluded.last_run_id;
