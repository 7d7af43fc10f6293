-- Coordinates and time zone for each normalized listing, offline: published point, else the
-- centre of its ZIP, else of its city, else of its state (means of zip_geo), with geo_precision.
-- The zone: the source's own, else the zone of the point (zone_at, timezonefinder: split states
-- such as KY, TN, FL, IN, TX, OR have two), else the ZIP's, city's or state's most common one
-- (a state's centre says nothing of where in a split state a listing is); a listing with no place
-- that serves one state (a state's warmline) keeps its hours in that state's most common zone.
CREATE OR REPLACE TEMP TABLE geocoded AS
WITH city_geo AS (
    SELECT upper(city) AS city, state, avg(latitude) AS latitude, avg(longitude) AS longitude,
           mode(timezone) AS timezone
    FROM zip_geo GROUP BY ALL
),
state_geo AS (
    SELECT state, avg(latitude) AS latitude, avg(longitude) AS longitude, mode(timezone) AS timezone
    FROM zip_geo GROUP BY state
),
matched AS (
    SELECT
        n.* EXCLUDE (latitude, longitude, timezone),
        n.latitude AS src_lat, n.longitude AS src_lon, n.timezone AS src_tz,
        z.latitude AS zip_lat, z.longitude AS zip_lon, z.timezone AS zip_tz,
        c.latitude AS city_lat, c.longitude AS city_lon, c.timezone AS city_tz,
        s.latitude AS state_lat, s.longitude AS state_lon, s.timezone AS state_tz,
        a.timezone AS served_tz
    FROM normalized AS n
    LEFT JOIN zip_geo AS z ON z.postal_code = n.postal_code
    LEFT JOIN city_geo AS c ON c.city = upper(n.city) AND c.state = n.state
    LEFT JOIN state_geo AS s ON s.state = n.state
    LEFT JOIN state_geo AS a ON n.state IS NULL AND len(n.service_area) = 1 AND a.state = n.service_area[1]
),
placed AS (
    SELECT
        * EXCLUDE (src_lat, src_lon, zip_lat, zip_lon, zip_tz, city_lat, city_lon, city_tz,
                   state_lat, state_lon, state_tz, served_tz),
        CASE
            WHEN src_lat IS NOT NULL AND src_lon IS NOT NULL THEN src_lat
            ELSE coalesce(zip_lat, city_lat, state_lat)
        END AS latitude,
        CASE
            WHEN src_lat IS NOT NULL AND src_lon IS NOT NULL THEN src_lon
            ELSE coalesce(zip_lon, city_lon, state_lon)
        END AS longitude,
        CASE
            WHEN src_lat IS NOT NULL AND src_lon IS NOT NULL THEN 'source'
            WHEN zip_lat IS NOT NULL THEN 'zip'
            WHEN city_lat IS NOT NULL THEN 'city'
            WHEN state_lat IS NOT NULL THEN 'state'
            ELSE 'none'
        END AS geo_precision,
        coalesce(zip_tz, city_tz, state_tz, served_tz) AS area_tz
    FROM matched
)
SELECT
    * EXCLUDE (src_tz, area_tz),
    coalesce(
        src_tz,
        CASE WHEN geo_precision IN ('source', 'zip', 'city') THEN zone_at(latitude, longitude) END,
        area_tz
    ) AS timezone
FROM placed;
