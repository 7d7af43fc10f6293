-- Per source of this run ($run_id) that was not failed: its staged listings and the share of them
-- that fill each field, beside the same figures of the source's last good run (the latest earlier
-- run where it ended 'ok' or 'degraded'; none for a source's first run). The listings a lost page,
-- feed or server keeps from its last good run (lost_pages) count as this run's: a lost unit is
-- reported on its own line and must not make its source look collapsed.
WITH this_run AS (
    SELECT source FROM run_sources WHERE run_id = $run_id AND status IN ('ok', 'degraded', 'quarantined')
),
last_good AS (
    SELECT s.source, s.run_id
    FROM run_sources AS s
    JOIN runs AS r USING (run_id)
    WHERE s.status IN ('ok', 'degraded') AND s.run_id <> $run_id AND s.source IN (SELECT source FROM this_run)
    QUALIFY row_number() OVER (PARTITION BY s.source ORDER BY r.started_at DESC) = 1
),
runs_compared AS (
    SELECT source, $run_id AS run_id, 'current' AS side FROM this_run
    UNION ALL
    SELECT source, run_id, 'baseline' AS side FROM last_good
),
fill AS (
    SELECT
        c.source, c.side, c.run_id,
        count(l.source_key) AS listings,
        avg(CASE WHEN nullif(trim(l.name), '') IS NOT NULL THEN 1 ELSE 0 END) AS name,
        avg(CASE WHEN nullif(trim(l.source_url), '') IS NOT NULL THEN 1 ELSE 0 END) AS source_url,
        avg(CASE WHEN coalesce(nullif(trim(l.address), ''), nullif(trim(l.city), ''),
                               nullif(trim(l.state), '')) IS NOT NULL THEN 1 ELSE 0 END) AS place,
        avg(CASE WHEN nullif(trim(l.phone), '') IS NOT NULL THEN 1 ELSE 0 END) AS phone,
        avg(CASE WHEN nullif(trim(l.email), '') IS NOT NULL THEN 1 ELSE 0 END) AS email,
        avg(CASE WHEN nullif(trim(l.website), '') IS NOT NULL THEN 1 ELSE 0 END) AS website,
        avg(CASE WHEN nullif(trim(l.schedule_text), '') IS NOT NULL THEN 1 ELSE 0 END) AS schedule_text
    FROM runs_compared AS c
    LEFT JOIN staged_listings AS l ON l.run_id = c.run_id AND l.source = c.source
    GROUP BY ALL
),
kept AS (
    SELECT l.source, count(*) AS listings
    FROM listings AS l
    JOIN (SELECT DISTINCT source, url FROM lost_pages WHERE run_id = $run_id) AS p
      ON p.source = l.source AND p.url = l.source_url
    WHERE l.status <> 'inactive'
    GROUP BY ALL
)
SELECT
    cur.source,
    cur.listings + coalesce(k.listings, 0) AS listings,
    base.run_id AS baseline_run,
    base.listings AS baseline_listings,
    {'name': cur.name, 'source_url': cur.source_url, 'place': cur.place, 'phone': cur.phone,
     'email': cur.email, 'website': cur.website, 'schedule_text': cur.schedule_text} AS fill,
    {'name': base.name, 'source_url': base.source_url, 'place': base.place, 'phone': base.phone,
     'email': base.email, 'website': base.website, 'schedule_text': base.schedule_text} AS baseline_fill
FROM fill AS cur
LEFT JOIN fill AS base ON base.source = cur.source AND base.side = 'baseline'
LEFT JOIN kept AS k ON k.source = cur.source
WHERE cur.side = 'current'
ORDER BY cur.source
