-- The place a listing's own text states (warehouse/venue.py: "at St. Matthews Episcopal Church,
-- 330 N. Hubbards Ln."), for the listings whose source gave neither a venue nor a street: the venue
-- becomes location_name and the street `street`. A city, state or ZIP the text gives fills what the
-- source left empty; where the text puts the street in another city or state than the listing's,
-- the text's city, state and ZIP replace the listing's together (a street is never shown with a
-- city it is not in). The point stays at the ZIP, city or state centre (geocode_listings: no street
-- geocoder offline), and geo_precision says which; attendance_listings reads the stated place as a
-- physical one.
UPDATE normalized AS n
SET location_name = p.place.location_name,
    street = p.place.street,
    city = CASE WHEN p.elsewhere THEN p.place.city ELSE coalesce(n.city, p.place.city) END,
    state = CASE WHEN p.elsewhere THEN coalesce(p.stated_state, n.state) ELSE coalesce(n.state, p.stated_state) END,
    postal_code = CASE WHEN p.elsewhere THEN zip5(p.place.postal_code)
                       ELSE coalesce(n.postal_code, zip5(p.place.postal_code)) END
FROM (
    SELECT
        listing_id, place, state_code(place.state) AS stated_state,
        (place.city IS NOT NULL AND lower(trim(place.city)) IS DISTINCT FROM lower(trim(city)))
            OR (state_code(place.state) IS NOT NULL AND state IS NOT NULL AND state_code(place.state) <> state)
            AS elsewhere
    FROM (
        SELECT listing_id, city, state, stated_place(concat_ws(chr(10), description, schedule_text)) AS place
        FROM normalized
        WHERE location_name IS NULL AND street IS NULL
    )
    WHERE place IS NOT NULL
) AS p
WHERE n.listing_id = p.listing_id;
