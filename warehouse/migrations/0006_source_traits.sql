-- Each source's rank and family come from the source itself now (its class attributes in
-- scrapers/base.py), written by every build before it loads anything; the hand-written table of
-- 0003 goes. A warehouse built before keeps its ranks until the next build writes them again.
-- rank: how much a source is trusted for an entity's fields (1 = the organization's own site or
-- meeting lists, 2 = a directory or aggregator of others' listings; not listed: 3).
-- family: listings of different families are one organization only on contact evidence.
DROP VIEW IF EXISTS entities;              -- re-created after the migrations, on source_traits
CREATE TABLE source_traits (
    source VARCHAR PRIMARY KEY,
    rank   INTEGER NOT NULL,
    family VARCHAR NOT NULL
);
INSERT INTO source_traits SELECT source, rank, source FROM source_ranks;
DROP TABLE source_ranks;
