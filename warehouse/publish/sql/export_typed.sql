-- The directory with native types (lists, the schedule as a list of structs, timestamps), for
-- Parquet; next_meeting_at stays an ISO 8601 string so the meeting's own UTC offset is kept.
SELECT * FROM export_directory ORDER BY listing_id
