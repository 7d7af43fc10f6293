-- Each listing's schedule rules as one list, in rule order (the directory and a listing's
-- versions both carry it).
CREATE OR REPLACE VIEW listing_schedules AS
SELECT
    listing_id,
    list({'freq': freq, 'interval': "interval", 'byday': byday, 'opens_at': opens_at,
          'closes_at': closes_at, 'timezone': timezone} ORDER BY position) AS schedule
FROM schedules
GROUP BY listing_id;
