-- Listings missed by $inactive_after successful runs of their source in a row become inactive
-- (kept, never deleted; a later run that lists them again makes them active).
UPDATE listings
SET status = 'inactive'
WHERE status = 'active' AND missed_runs >= $inactive_after
