-- Normalize the staged listings of one run ($run_id), for the sources whose run succeeded.
-- Text unescaped and trimmed, addresses split, phones E.164, emails and URLs checked; the rules a
-- source stated (schedule), Meeting Guide type codes (upper case) and place names carried along.
CREATE OR REPLACE TEMP TABLE normalized AS
WITH staged AS (
    SELECT s.*
    FROM staged_listings AS s
    JOIN run_sources AS r ON r.run_id = s.run_id AND r.source = s.source AND r.status IN ('ok', 'degraded')
    WHERE s.run_id = $run_id
),
-- MATERIALIZED: the address is split once per row, not once per use of `parts` below.
split AS MATERIALIZED (
    SELECT *, split_us_address(address) AS parts FROM staged
),
cleaned AS (
    SELECT
        listing_uuid(source, source_key) AS listing_id,
        source,
        source_key,
        kind,
        -- Required fields: a value with no text left (only markup or control characters, or one a
        -- function could not read) falls back, so one value never stops the run.
        coalesce(clean_text(organization), source) AS organization,
        coalesce(clean_text(name), clean_text(organization), source_key) AS name,
        parent_key,
        clean_text(description) AS description,
        coalesce(audiences, []) AS audiences,
        coalesce(topics, []) AS topics,
        attendance,
        address AS address_text,
        coalesce(clean_text(street), parts.street) AS street,
        coalesce(clean_text(city), parts.city) AS city,
        state_code(coalesce(state, parts.state)) AS state,
        zip5(coalesce(postal_code, parts.postal_code)) AS postal_code,
        CASE
            WHEN upper(trim(country)) IN ('US', 'USA', 'UNITED STATES') THEN 'US'
            WHEN regexp_full_match(upper(trim(country)), '[A-Z]{2}') THEN upper(trim(country))
            WHEN state_code(coalesce(state, parts.state)) IS NOT NULL THEN 'US'
        END AS country,
        latitude,
        longitude,
        timezone,
        list_sort(list_distinct(
            [state_code(code) FOR code IN coalesce(service_area, []) IF state_code(code) IS NOT NULL]
        )) AS service_area,
        e164(phone) AS phone,
        phone_extension(phone) AS phone_extension,
        clean_email(email) AS email,
        clean_url(website) AS website,
        clean_url(registration_url) AS registration_url,
        clean_url(conference_url) AS conference_url,
        e164(conference_phone) AS conference_phone,
        clean_text(schedule_text) AS schedule_text,
        coalesce(schedule, []) AS schedule,
        [upper(trim(code)) FOR code IN coalesce(meeting_types, []) IF trim(code) <> ''] AS meeting_types,
        clean_text(location_name) AS location_name,
        clean_text(meeting_group) AS meeting_group,
        clean_text(region) AS region,
        clean_text(sub_region) AS sub_region,
        clean_text(location_notes) AS location_notes,
        source_updated,
        source_url,
        fetched_at,
        content_sha256
    FROM split
)
SELECT * FROM cleaned;
