-- The groups' export rows and their listings (for the meeting extras), copied into a DuckDB file of
-- their own, attached as groups_side: the calendars' worker reads them there with export_json and
-- export_extras, as the export reads them here (warehouse/publish/records.py, save_groups).
CREATE TABLE groups_side.export_directory AS
SELECT * FROM export_directory WHERE kind = 'group' ORDER BY listing_id;

CREATE TABLE groups_side.listings AS
SELECT * FROM listings
WHERE listing_id IN (SELECT listing_id FROM groups_side.export_directory)
ORDER BY listing_id;
