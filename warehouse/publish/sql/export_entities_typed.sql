-- The entities with native types (lists, timestamps), for Parquet.
SELECT * FROM export_entities ORDER BY entity_id
