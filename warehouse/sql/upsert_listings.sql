-- Merge one run's listings (in `merging`, from upsert_prepare.sql) into the current listings.
-- A new listing gets first_seen; a known one keeps it. Listings the run did not see are untouched.
-- Attendance was derived by attendance_listings.sql (the rules are listed there).
-- Those upsert_seen.sql found unchanged are already marked seen by this run; the rest are new
-- or changed: inserted, or rewritten whole.
INSERT INTO listings BY NAME
SELECT * FROM merging AS m
WHERE NOT EXISTS (
    SELECT 1 FROM listings AS l WHERE l.listing_id = m.listing_id AND l.last_run_id = m.last_run_id
)
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
    meeting_group = excluded.meeting_group, region = excluded.region, sub_region = excluded.sub_region,
    location_notes = excluded.location_notes, source_updated = excluded.source_updated,
    source_url = excluded.source_url, fetched_at = excluded.fetched_at,
    content_sha256 = excluded.content_sha256, last_seen = excluded.last_seen, status = 'active',
    last_run_id = excluded.last_run_id;
