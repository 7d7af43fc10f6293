-- Identity, history and quarantine: entities over listings, versions, change reports, source ranks.

-- Runs of a source missed in a row (successful runs of that source only), and the listing's entity.
ALTER TABLE listings ADD COLUMN missed_runs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE listings ADD COLUMN entity_id VARCHAR;

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
