-- How to attend each of the run's listings, from explicit rules; the first rule that holds wins:
--   1. Meeting Guide type TC (the location is temporarily closed): online details -> online,
--      else phone details -> phone, else unknown (never in_person).
--   2. The attendance the parser read from the source (e.g. S&PAA's conference-call groups).
--   3. A warmline (kind line) -> phone.
--   4. An organization or a chapter -> unknown (a group or a day program goes on).
--   5. A physical street address and online or phone details -> hybrid.
--   6. Online details -> online.
--   7. Phone details -> phone.
--   8. A physical street address -> in_person.
--   9. Otherwise unknown.
-- A physical street address: `street`, unless it is a PO box. Online details: a conference_url,
-- or online wording (Zoom, virtual, online, video, webinar, Google Meet, Teams, Webex) in the
-- name, description, schedule_text or location_name. Phone details: a conference_phone, or
-- phone-only wording ("conference call", "call-in", "dial-in", "teleconference", "by phone").
-- Only `attendance` changes: a join link the source withholds is never filled in.
UPDATE geocoded
SET attendance = derived.attendance
FROM (
    WITH wording AS (
        SELECT
            listing_id, kind, attendance, meeting_types, conference_url, conference_phone,
            street IS NOT NULL AND NOT regexp_matches(street, '^\s*p\.?\s*o\.?\s*box\b', 'i') AS physical,
            lower(concat_ws(' ', name, description, schedule_text, location_name)) AS text
        FROM geocoded
    ),
    details AS (
        SELECT
            *,
            conference_url IS NOT NULL
                OR regexp_matches(text, '\b(zoom|virtual(ly)?|online|video|webinar|google meet|microsoft teams|teams meeting|webex|livestream(ed)?)\b')
                AS online,
            conference_phone IS NOT NULL
                OR regexp_matches(text, '\b(conference[ -]call|call[ -]in|dial[ -]in|teleconference|by (tele)?phone|phone[ -]only)\b')
                AS phone
        FROM wording
    )
    SELECT
        listing_id,
        CASE
            WHEN list_contains(meeting_types, 'TC') THEN
                CASE WHEN online THEN 'online' WHEN phone THEN 'phone' ELSE 'unknown' END
            WHEN attendance IS NOT NULL THEN attendance
            WHEN kind = 'line' THEN 'phone'
            WHEN kind IN ('organization', 'chapter') THEN 'unknown'
            WHEN physical AND (online OR phone) THEN 'hybrid'
            WHEN online THEN 'online'
            WHEN phone THEN 'phone'
            WHEN physical THEN 'in_person'
            ELSE 'unknown'
        END AS attendance
    FROM details
) AS derived
WHERE geocoded.listing_id = derived.listing_id;
