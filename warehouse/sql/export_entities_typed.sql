-- The entities with native types (lists, timestamps), for Parquet.
SELECT * FROM entities ORDER BY entity_id
