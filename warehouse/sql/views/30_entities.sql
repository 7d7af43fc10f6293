-- Re-created after every migration (see warehouse/migrate.py).
-- One row per entity, each field from its best member (columns in the order of EntityRow).
-- Best member: the lowest source rank (the alliance's own site before an aggregator), then an
-- active listing before an inactive one, then the most recently seen, then the smallest listing_id.
-- Name, kind and organization come from the best member; each contact field from the best member
-- that has it; the place (address and point) from the best member that has a point (else the best
-- member), as one block.
CREATE OR REPLACE VIEW entities AS
WITH members AS (
    SELECT
        l.*,
        {'rank': coalesce(r.rank, 3), 'inactive': l.status <> 'active',
         'age': -epoch(l.last_seen), 'id': l.listing_id} AS best
    FROM listings AS l
    LEFT JOIN source_traits AS r USING (source)
    WHERE l.entity_id IS NOT NULL
),
placed AS (
    SELECT entity_id, arg_min(listing_id, best) AS place_id
    FROM members WHERE geo_precision <> 'none' GROUP BY entity_id
),
grouped AS (
    SELECT
        entity_id,
        arg_min(listing_id, best) AS primary_listing_id,
        arg_min(attendance, best) FILTER (WHERE attendance <> 'unknown') AS attendance,
        arg_min(description, best) FILTER (WHERE description IS NOT NULL) AS description,
        arg_min(phone, best) FILTER (WHERE phone IS NOT NULL) AS phone,
        arg_min(email, best) FILTER (WHERE email IS NOT NULL) AS email,
        arg_min(website, best) FILTER (WHERE website IS NOT NULL) AS website,
        arg_min(registration_url, best) FILTER (WHERE registration_url IS NOT NULL) AS registration_url,
        arg_min(conference_url, best) FILTER (WHERE conference_url IS NOT NULL) AS conference_url,
        arg_min(schedule_text, best) FILTER (WHERE schedule_text IS NOT NULL) AS schedule_text,
        list_sort(list_distinct(flatten(list(service_area)))) AS service_area,
        list_sort(list_distinct(list(organization))) AS organizations,
        list_sort(list(listing_id)) AS listing_ids,
        list_sort(list_distinct(list(source))) AS sources,
        list_sort(list_distinct(list(source_url))) AS source_urls,
        min(first_seen) AS first_seen,
        max(last_seen) AS last_seen,
        CASE WHEN bool_or(status = 'active') THEN 'active' ELSE 'inactive' END AS status
    FROM members
    GROUP BY entity_id
)
SELECT
    g.entity_id, p.kind, p.name, p.organization, g.organizations,
    coalesce(g.attendance, 'unknown') AS attendance, g.description,
    a.street, a.city, a.state, a.postal_code, a.country, a.latitude, a.longitude,
    a.geo_precision, a.timezone,
    g.service_area, g.phone, g.email, g.website, g.registration_url, g.conference_url, g.schedule_text,
    g.primary_listing_id, len(g.listing_ids) AS members, g.listing_ids, g.sources, g.source_urls,
    g.first_seen, g.last_seen, g.status
FROM grouped AS g
JOIN listings AS p ON p.listing_id = g.primary_listing_id
LEFT JOIN placed AS pl ON pl.entity_id = g.entity_id
JOIN listings AS a ON a.listing_id = coalesce(pl.place_id, g.primary_listing_id);
