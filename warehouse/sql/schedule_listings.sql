-- Replace the schedule rows of the run's listings (the listings in `geocoded`).
-- Rules the source stated as data win (origin 'source'; a missing zone is the listing's place
-- zone); else the rules parsed from schedule_text (origin 'text'; the zone its words name, else
-- the place's, else none). Text that does not say enough gives no rows and keeps schedule_text.
-- Listings of a failed source are not in `geocoded`, so their rows stay exactly as they were.
DELETE FROM schedules WHERE listing_id IN (SELECT listing_id FROM geocoded);

INSERT INTO schedules BY NAME
-- MATERIALIZED: the text is parsed once per listing, not once per use of `rules` below.
WITH chosen AS MATERIALIZED (
    SELECT
        listing_id,
        CASE
            WHEN len(schedule) > 0
            THEN [struct_update(r, timezone := coalesce(r.timezone, timezone)) FOR r IN schedule]
            ELSE schedule_rules(schedule_text, timezone)
        END AS rules,
        CASE WHEN len(schedule) > 0 THEN 'source' ELSE 'text' END AS origin
    FROM geocoded
),
numbered AS (
    SELECT listing_id, origin, unnest(rules) AS rule, generate_subscripts(rules, 1) - 1 AS position
    FROM chosen
    WHERE len(rules) > 0
)
SELECT
    listing_id, position, rule.freq AS freq, rule."interval" AS "interval", rule.byday AS byday,
    rule.opens_at AS opens_at, rule.closes_at AS closes_at, rule.timezone AS timezone, origin
FROM numbered;
