-- What a Meeting Guide feed says of a meeting beyond its place and time, carried to meetings.json as
-- the same fields: the group holding it, the feed's region and sub-region, notes on the location,
-- and when the source last updated it (`YYYY-MM-DD HH:MM:SS`, UTC, as the spec writes it).
ALTER TABLE staged_listings ADD COLUMN meeting_group VARCHAR;
ALTER TABLE staged_listings ADD COLUMN region VARCHAR;
ALTER TABLE staged_listings ADD COLUMN sub_region VARCHAR;
ALTER TABLE staged_listings ADD COLUMN location_notes VARCHAR;
ALTER TABLE staged_listings ADD COLUMN source_updated VARCHAR;

ALTER TABLE listings ADD COLUMN meeting_group VARCHAR;
ALTER TABLE listings ADD COLUMN region VARCHAR;
ALTER TABLE listings ADD COLUMN sub_region VARCHAR;
ALTER TABLE listings ADD COLUMN location_notes VARCHAR;
ALTER TABLE listings ADD COLUMN source_updated VARCHAR;
