-- Identity, history and quarantine: entities over listings, versions, change reports, source ranks.

-- Runs of a source missed in a row (successful runs of that source only), and the listing's entity.
ALTER TABLE listings ADD COLUMN missed_runs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE listings ADD COLUMN entity_id VARCHAR;

-- What a version of a listing holds: every field that describes it (not when or how it was fetched).
-- A change of any of these is a new version; a later migration that adds a content column to
-- `listings` re-creates this view with it.
CREATE OR REPLACE VIEW listing_content AS
SELECT
    listing_id, source, source_key,
    to_json({
        'kind': kind, 'organization': organization, 'name': name, 'parent': parent,
        'description': description, 'audiences': audiences, 'topics': topics,
        'attendance': attendance, 'address_text': address_text, 'street': street, 'city': city,
        'state': state, 'postal_code': postal_code, 'country': country, 'latitude': latitude,
        'longitude': longitude, 'geo_precision': geo_precision, 'timezone': timezone,
        'service_area': service_area, 'phone': phone, 'phone_extension': phone_extension,
        'email': email, 'website': website, 'registration_url': registration_url,
        'conference_url': conference_url, 'conference_phone': conference_phone,
        'schedule_text': schedule_text, 'meeting_types': meeting_types, 'location_name': location_name
    }) AS content
FROM listings;

-- One row per change of a listing's content (version 1 is how it was first seen).
CREATE TABLE listing_versions (
    listing_id   VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    source       VARCHAR NOT NULL,
    source_key   VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    content_hash VARCHAR NOT NULL,          -- sha256 of content
    content      JSON NOT NULL,
    changed      VARCHAR[] NOT NULL,        -- fields that differ from the previous version
    PRIMARY KEY (listing_id, version)
);

-- The change report of every run: one row per listing that is new, changed, now inactive or returned.
CREATE TABLE run_changes (
    run_id     VARCHAR NOT NULL,
    listing_id VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    change     VARCHAR NOT NULL,            -- new | changed | inactive | returned
    fields     VARCHAR[] NOT NULL,          -- for 'changed': the fields that changed
    PRIMARY KEY (run_id, listing_id, change)
);

-- Every source record of every entity (rebuilt each run; entity ids are stable, see resolve.py).
CREATE TABLE entity_crosswalk (
    listing_id  VARCHAR PRIMARY KEY,
    entity_id   VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    source_key  VARCHAR NOT NULL,
    match_rule  VARCHAR,                    -- how it joined its entity (NULL for the anchor)
    match_score DOUBLE,
    run_id      VARCHAR NOT NULL
);

-- The scored candidate pairs of the latest resolve (for the review export and for inspection).
CREATE TABLE match_pairs (
    left_id  VARCHAR NOT NULL,
    right_id VARCHAR NOT NULL,
    rule     VARCHAR NOT NULL,
    score    DOUBLE NOT NULL,
    verdict  VARCHAR NOT NULL,              -- same | review | different
    decided  VARCHAR,                       -- a person's decision from the decisions file, if any
    note     VARCHAR,
    run_id   VARCHAR NOT NULL,
    PRIMARY KEY (left_id, right_id)
);

-- How much a source is trusted for an entity's fields: 1 = the alliance's own site, 2 = an aggregator.
-- A source not listed here ranks 3.
CREATE TABLE source_ranks (
    source VARCHAR PRIMARY KEY,
    rank   INTEGER NOT NULL,
    why    VARCHAR NOT NULL
);
INSERT INTO source_ranks VALUES
    ('nami', 1, 'the alliance''s own site'),
    ('dbsa', 1, 'the alliance''s own site'),
    ('sardaa', 1, 'the alliance''s own site'),
    ('mha', 1, 'the alliance''s own site'),
    ('smart', 1, 'the organization''s own meeting finder'),
    ('lifering', 1, 'the organization''s own meeting finder'),
    ('meetingguide', 2, 'an aggregated Meeting Guide feed');

-- Listings known before this migration start their history with the run that last saw them.
INSERT INTO listing_versions
SELECT c.listing_id, 1, c.source, c.source_key, l.last_run_id, l.last_seen,
       sha256(CAST(c.content AS VARCHAR)), c.content, []
FROM listing_content AS c
JOIN listings AS l USING (listing_id);

-- The exported directory gains each listing's entity_id (columns in the order of DirectoryRow).
CREATE OR REPLACE VIEW directory AS
SELECT
    listing_id, entity_id, kind, organization, name, parent, description, audiences, topics, attendance,
    street, city, state, postal_code, country, latitude, longitude, geo_precision, timezone,
    service_area, phone, email, website, registration_url, conference_url, schedule_text,
    source, source_key, source_url, fetched_at, content_sha256, first_seen, last_seen, status
FROM listings;

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
    LEFT JOIN source_ranks AS r USING (source)
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
