-- Runs, fetches, staged listings and current listings.

CREATE TABLE runs (
    run_id      VARCHAR PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    mode        VARCHAR NOT NULL,           -- live | replay
    status      VARCHAR NOT NULL,           -- running | ok | degraded | failed
    summary     JSON
);

CREATE TABLE run_sources (
    run_id      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,           -- ok | failed
    pages       INTEGER NOT NULL DEFAULT 0,
    listings    INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    reason      VARCHAR,
    errors      VARCHAR[],
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    PRIMARY KEY (run_id, source)
);

CREATE TABLE fetches (
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    status        INTEGER,
    fetched_at    TIMESTAMPTZ,
    sha256        VARCHAR,
    size          BIGINT,
    warc_file     VARCHAR,
    warc_offset   BIGINT,
    etag          VARCHAR,
    last_modified VARCHAR,
    not_modified  BOOLEAN NOT NULL DEFAULT false,
    error         VARCHAR
);

CREATE TABLE staged_listings (
    run_id           VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    source_key       VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    organization     VARCHAR NOT NULL,
    name             VARCHAR NOT NULL,
    source_url       VARCHAR NOT NULL,
    parent_key       VARCHAR,
    description      VARCHAR,
    audiences        VARCHAR[],
    topics           VARCHAR[],
    address          VARCHAR,
    street           VARCHAR,
    city             VARCHAR,
    state            VARCHAR,
    postal_code      VARCHAR,
    country          VARCHAR,
    latitude         DOUBLE,
    longitude        DOUBLE,
    timezone         VARCHAR,
    service_area     VARCHAR[],
    phone            VARCHAR,
    email            VARCHAR,
    website          VARCHAR,
    registration_url VARCHAR,
    conference_url   VARCHAR,
    conference_phone VARCHAR,
    attendance       VARCHAR,
    schedule_text    VARCHAR,
    fetched_at       TIMESTAMPTZ,
    content_sha256   VARCHAR
);

CREATE TABLE listings (
    listing_id       VARCHAR PRIMARY KEY,
    source           VARCHAR NOT NULL,
    source_key       VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    organization     VARCHAR NOT NULL,
    name             VARCHAR NOT NULL,
    parent           VARCHAR,
    description      VARCHAR,
    audiences        VARCHAR[],
    topics           VARCHAR[],
    attendance       VARCHAR NOT NULL,
    address_text     VARCHAR,
    street           VARCHAR,
    city             VARCHAR,
    state            VARCHAR,
    postal_code      VARCHAR,
    country          VARCHAR,
    latitude         DOUBLE,
    longitude        DOUBLE,
    geo_precision    VARCHAR NOT NULL,
    timezone         VARCHAR,
    service_area     VARCHAR[],
    phone            VARCHAR,
    phone_extension  VARCHAR,
    email            VARCHAR,
    website          VARCHAR,
    registration_url VARCHAR,
    conference_url   VARCHAR,
    conference_phone VARCHAR,
    schedule_text    VARCHAR,
    source_url       VARCHAR NOT NULL,
    fetched_at       TIMESTAMPTZ NOT NULL,
    content_sha256   VARCHAR NOT NULL,
    first_seen       TIMESTAMPTZ NOT NULL,
    last_seen        TIMESTAMPTZ NOT NULL,
    status           VARCHAR NOT NULL,
    last_run_id      VARCHAR NOT NULL
);

-- ZIP code centres and time zones (from the zipcodes package), loaded once.
CREATE TABLE zip_geo (
    postal_code VARCHAR PRIMARY KEY,
    city        VARCHAR,
    state       VARCHAR,
    latitude    DOUBLE,
    longitude   DOUBLE,
    timezone    VARCHAR
);
