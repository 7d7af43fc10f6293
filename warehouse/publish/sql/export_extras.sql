-- Listing fields the meeting, calendar and HSDS exports use beyond the flat directory columns:
-- Meeting Guide type codes, the meeting place's name, the published dial-in and the phone extension,
-- and what a Meeting Guide feed says beyond those (group, region, location notes, its update time).
SELECT listing_id, meeting_types, location_name, conference_phone, phone_extension,
       meeting_group, region, sub_region, location_notes, source_updated
FROM listings
ORDER BY listing_id
