-- Meetings: structured schedules per listing, Meeting Guide type codes, place names.

ALTER TABLE staged_listings ADD COLUMN schedule STRUCT(
    freq VARCHAR, "interval" INTEGER, byday VARCHAR, opens_at VARCHAR, closes_at VARCHAR, timezone VARCHAR
)[];
ALTER TABLE staged_listings ADD COLUMN meeting_types VARCHAR[];
ALTER TABLE staged_listings ADD COLUMN location_name VARCHAR;

ALTER TABLE listings ADD COLUMN meeting_types VARCHAR[];
ALTER TABLE listings ADD COLUMN location_name VARCHAR;

-- One row per schedule rule of a current listing (HSDS 3 schedule rows plus the IANA zone).
CREATE TABLE schedules (
    listing_id VARCHAR NOT NULL,
    position   INTEGER NOT NULL,   -- order of the rule within the listing, from 0
    freq       VARCHAR NOT NULL,   -- WEEKLY | MONTHLY
    "interval" INTEGER NOT NULL DEFAULT 1,
    byday      VARCHAR NOT NULL,   -- MO,TH | 2TU,4TU | -1FR
    opens_at   VARCHAR,            -- HH:MM local
    closes_at  VARCHAR,            -- HH:MM local, NULL when not published
    timezone   VARCHAR,            -- IANA zone of opens_at/closes_at
    origin     VARCHAR NOT NULL,   -- 'source' (stated as data) | 'text' (parsed from schedule_text)
    PRIMARY KEY (listing_id, position)
);
