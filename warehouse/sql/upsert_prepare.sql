-- The run's geocoded listings as rows of `listings` ($run_id, $run_at), for the upsert steps.
-- A new listing gets first_seen; a known one keeps it. Listings the run did not see are untouched.
-- Attendance was derived by attendance_listings.sql (the rules are listed there).
CREATE OR REPLACE TEMP TABLE merging AS
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
    meeting_group, region, sub_region, location_notes, source_updated,
    source_url, fetched_at, content_sha256,
    CAST($run_at AS TIMESTAMPTZ) AS first_seen,
    CAST($run_at AS TIMESTAMPTZ) AS last_seen,
    'active' AS status,
    $run_id AS last_run_id
FROM resolved;
