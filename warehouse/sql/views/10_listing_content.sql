-- What a version of a listing holds: every field that describes it (not when or how it was
-- fetched), including its schedule rules. A change of any of these is a new version.
-- The Meeting Guide fields added later (group, region, ...) are merged in only when they have a
-- value: a listing without them keeps the content (and hash) it had, so no version is invented.
CREATE OR REPLACE VIEW listing_content AS
SELECT
    l.listing_id, l.source, l.source_key,
    json_merge_patch(to_json({
        'kind': l.kind, 'organization': l.organization, 'name': l.name, 'parent': l.parent,
        'description': l.description, 'audiences': l.audiences, 'topics': l.topics,
        'attendance': l.attendance, 'address_text': l.address_text, 'street': l.street,
        'city': l.city, 'state': l.state, 'postal_code': l.postal_code, 'country': l.country,
        'latitude': l.latitude, 'longitude': l.longitude, 'geo_precision': l.geo_precision,
        'timezone': l.timezone, 'service_area': l.service_area, 'phone': l.phone,
        'phone_extension': l.phone_extension, 'email': l.email, 'website': l.website,
        'registration_url': l.registration_url, 'conference_url': l.conference_url,
        'conference_phone': l.conference_phone, 'schedule_text': l.schedule_text,
        'schedule': coalesce(r.schedule, []), 'meeting_types': l.meeting_types,
        'location_name': l.location_name
    }), to_json({
        'meeting_group': l.meeting_group, 'region': l.region, 'sub_region': l.sub_region,
        'location_notes': l.location_notes, 'source_updated': l.source_updated
    })) AS content
FROM listings AS l
LEFT JOIN listing_schedules AS r USING (listing_id);
