-- A listing whose every merged value is as stored (most of a recrawl) is only marked seen:
-- DuckDB's ON CONFLICT DO UPDATE rewrites whole rows, lists included, and took 15 s for 100k.
UPDATE listings AS l
SET last_seen = m.last_seen, status = 'active', last_run_id = m.last_run_id, fetched_at = m.fetched_at
FROM merging AS m
WHERE l.listing_id = m.listing_id
  AND l.kind IS NOT DISTINCT FROM m.kind AND l.organization IS NOT DISTINCT FROM m.organization
  AND l.name IS NOT DISTINCT FROM m.name AND l.parent IS NOT DISTINCT FROM m.parent
  AND l.description IS NOT DISTINCT FROM m.description AND l.audiences IS NOT DISTINCT FROM m.audiences
  AND l.topics IS NOT DISTINCT FROM m.topics AND l.attendance IS NOT DISTINCT FROM m.attendance
  AND l.address_text IS NOT DISTINCT FROM m.address_text AND l.street IS NOT DISTINCT FROM m.street
  AND l.city IS NOT DISTINCT FROM m.city AND l.state IS NOT DISTINCT FROM m.state
  AND l.postal_code IS NOT DISTINCT FROM m.postal_code AND l.country IS NOT DISTINCT FROM m.country
  AND l.latitude IS NOT DISTINCT FROM m.latitude AND l.longitude IS NOT DISTINCT FROM m.longitude
  AND l.geo_precision IS NOT DISTINCT FROM m.geo_precision AND l.timezone IS NOT DISTINCT FROM m.timezone
  AND l.service_area IS NOT DISTINCT FROM m.service_area AND l.phone IS NOT DISTINCT FROM m.phone
  AND l.phone_extension IS NOT DISTINCT FROM m.phone_extension AND l.email IS NOT DISTINCT FROM m.email
  AND l.website IS NOT DISTINCT FROM m.website
  AND l.registration_url IS NOT DISTINCT FROM m.registration_url
  AND l.conference_url IS NOT DISTINCT FROM m.conference_url
  AND l.conference_phone IS NOT DISTINCT FROM m.conference_phone
  AND l.schedule_text IS NOT DISTINCT FROM m.schedule_text
  AND l.meeting_types IS NOT DISTINCT FROM m.meeting_types
  AND l.location_name IS NOT DISTINCT FROM m.location_name
  AND l.meeting_group IS NOT DISTINCT FROM m.meeting_group AND l.region IS NOT DISTINCT FROM m.region
  AND l.sub_region IS NOT DISTINCT FROM m.sub_region
  AND l.location_notes IS NOT DISTINCT FROM m.location_notes
  AND l.source_updated IS NOT DISTINCT FROM m.source_updated
  AND l.source_url IS NOT DISTINCT FROM m.source_url
  AND l.content_sha256 IS NOT DISTINCT FROM m.content_sha256;
