-- Phones are E.164, emails lowercased with one @, URLs http(s), states two letters, ZIPs five digits.
SELECT listing_id, phone, email, website, state, postal_code
FROM listings
WHERE (phone IS NOT NULL AND NOT regexp_full_match(phone, '\+[1-9][0-9]{6,14}'))
   OR (email IS NOT NULL AND (email <> lower(email) OR NOT regexp_full_match(email, '[^@\s]+@[^@\s]+')))
   OR (website IS NOT NULL AND NOT regexp_matches(website, '^https?://'))
   OR (registration_url IS NOT NULL AND NOT regexp_matches(registration_url, '^https?://'))
   OR (conference_url IS NOT NULL AND NOT regexp_matches(conference_url, '^https?://'))
   OR (state IS NOT NULL AND NOT regexp_full_match(state, '[A-Z]{2}'))
   OR (postal_code IS NOT NULL AND NOT regexp_full_match(postal_code, '[0-9]{5}'))
