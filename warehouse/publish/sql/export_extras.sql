-- Listing fields the meeting, calendar and HSDS exports use beyond the flat directory columns:
-- Meeting Guide type codes, the meeting place's name, the published dial-in and the phone extension.
SELECT listing_id, meeting_types, location_name, conference_phone, phone_extension
FROM listings
ORDER BY listing_id
