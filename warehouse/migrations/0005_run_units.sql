-- The units of a source of many hosts (Meeting Guide feeds, BMLT root servers), one row per unit
-- and run: what each gave, its status and why (the run report's table per feed or server).
CREATE TABLE run_units (
    run_id   VARCHAR NOT NULL,
    source   VARCHAR NOT NULL,
    unit     VARCHAR NOT NULL,              -- the prefix of its listings' source_key (feed name, server id)
    name     VARCHAR NOT NULL,
    url      VARCHAR NOT NULL,
    status   VARCHAR NOT NULL,              -- ok | recovered | lost | restricted | not reached
    listings INTEGER NOT NULL DEFAULT 0,    -- staged this run
    kept     INTEGER NOT NULL DEFAULT 0,    -- a lost unit's listings of the last good run, kept
    reason   VARCHAR,
    PRIMARY KEY (run_id, source, unit)
);
