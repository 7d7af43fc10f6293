-- Pages (or feeds) a run could not fetch or parse, per source: their listings of the last good run
-- stay as they were and are not counted as missed (the source is 'degraded', not failed).
CREATE TABLE lost_pages (
    run_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    url    VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
