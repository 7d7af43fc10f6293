-- Every listing says where it came from and when it was seen, in a sensible order.
SELECT listing_id
FROM listings
WHERE source_url IS NULL OR fetched_at IS NULL OR content_sha256 IS NULL
   OR first_seen IS NULL OR last_seen IS NULL OR first_seen > last_seen
   OR NOT regexp_full_match(content_sha256, '[0-9a-f]{64}')
