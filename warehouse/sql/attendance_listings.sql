-- How to attend each of the run's listings, from explicit rules; the first rule that holds wins:
--   1. Meeting Guide type TC (the location is temporarily closed): online details -> online,
--      else phone details -> phone, else unknown (never in_person).
--   2. The attendance the parser read from the source (e.g. S&PAA's conference-call groups).
--   3. A warmline (kind line) -> phone.
--   4. A physical place and online or phone details -> hybrid.
--   5. Online details -> online.
--   6. Phone details -> phone.
--   7. A physical place -> in_person.
--   8. Otherwise unknown: the source and the listing's own text say nothing about how to attend.
-- Every kind goes through rules 4-8: an organization's or a chapter's street is a place a person
-- can go to, and a chapter whose text says its groups meet online is reached online.
-- A physical place: `street` unless it is a PO box; or a `location_name` that is neither online
-- wording nor a placeholder ("TBD", "contact us"); or in-person wording ("in person",
-- "face-to-face") that is not negated ("no in-person meetings"). place_listings.sql has already
-- filled location_name and street from a venue the listing's own text states.
-- Online details: a conference_url, or online wording (Zoom, virtual, online, video, webinar,
-- Google Meet, Teams, Webex) in the name, description, schedule_text or location_name. Phone
-- details: a conference_phone, or phone-only wording ("conference call", "call-in", "dial-in",
-- "teleconference", "by phone").
-- Only `attendance` changes: a join link the source withholds is never filled in.
UPDATE geocoded
SET attendance = derived.attendance
FROM (
    WITH wording AS (
        SELECT
            listing_id, kind, attendance, meeting_types, conference_url, conference_phone,
            street IS NOT NULL AND NOT regexp_matches(street, '^\s*p\.?\s*o\.?\s*box\b', 'i') AS street_address,
            lower(location_name) AS venue,
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
                AS phone,
            street_address
                OR (venue IS NOT NULL
                    AND NOT regexp_matches(venue, '\b(zoom|virtual|online|video|webinar|teams|webex|phone|call|tbd|tba|tbc|varies|various|unknown|n/?a|none|private|contact|email|register|registration|provided|see)\b'))
                OR (regexp_matches(text, '\b(in[ -]person|face[ -]to[ -]face)\b')
                    AND NOT regexp_matches(text, '\b(no|not|no longer|without)\s+(meet\w*\s+)?(in[ -]person|face[ -]to[ -]face)\b|\b(in[ -]person|face[ -]to[ -]face)\s+((meetings?|groups?)\s+)?((are|is|have been|has been)\s+)?(suspended|paused|cancell?ed|on hold|closed|unavailable)\b'))
                AS physical
        FROM wording
    )
    SELECT
        listing_id,
        CASE
            WHEN list_contains(meeting_types, 'TC') THEN
                CASE WHEN online THEN 'online' WHEN phone THEN 'phone' ELSE 'unknown' END
            WHEN attendance IS NOT NULL THEN attendance
            WHEN kind = 'line' THEN 'phone'
            WHEN physical AND (online OR phone) THEN 'hybrid'
            WHEN online THEN 'online'
            WHEN phone THEN 'phone'
            WHEN physical THEN 'in_person'
            ELSE 'unknown'
        END AS attendance
    FROM details
) AS derived
WHERE geocoded.listing_id = derived.listing_id;
