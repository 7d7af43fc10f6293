-- The exported directory: one row per listing, columns in the order of schemas.listing.DirectoryRow.
CREATE OR REPLACE VIEW directory AS
SELECT
    listing_id, kind, organization, name, parent, description, audiences, topics, attendance,
    street, city, state, postal_code, country, latitude, longitude, geo_precision, timezone,
    service_area, phone, email, website, registration_url, conference_url, schedule_text,
    source, source_key, source_url, fetched_at, content_sha256, first_seen, last_seen, status
FROM listings;
