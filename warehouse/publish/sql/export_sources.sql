-- The sources that have listings in the warehouse (for an export's datapackage sources).
SELECT DISTINCT source FROM listings ORDER BY source
