-- The directory with native types (lists, timestamps), for Parquet.
SELECT * FROM directory ORDER BY listing_id
