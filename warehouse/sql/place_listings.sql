-- The place a listing's own text states (warehouse/venue.py: "at St. Matthews Episcopal Church,
-- 330 N. Hubbards Ln."), for the listings whose source gave neither a venue nor a street: the venue
-- becomes location_name and the street `street`; a city, state or ZIP the text gives fills only what
-- the source left empty, and only when the text's state is not another state. The point stays at the
-- listing's ZIP, city or state centre (geocode_listings: no street geocoder offline), and
-- geo_precision says which; attendance_listings reads the stated place as a physical one.
UPDATE normalized AS n
SET location_name = p.place.location_name,
    street = p.place.street,
    city = CASE WHEN p.same_state THEN coalesce(n.city, p.place.city) ELSE n.city END,
    state = CASE WHEN p.same_state THEN coalesce(n.state, p.stated_state) ELSE n.state END,
    postal_code = CASE WHEN p.same_state THEN coalesce(n.postal_code, zip5(p.place.postal_code))
                       ELSE n.postal_code END
FROM (
    SELECT
        listing_id, place, state_code(place.state) AS stated_state,
        state_code(place.state) IS NULL OR state IS NULL OR state_code(place.state) = state AS same_state
    FROM (
        SELECT listing_id, state, stated_place(concat_ws(chr(10), description, schedule_text)) AS place
        FROM normalized
        WHERE location_name IS NULL AND street IS NULL
    )
    WHERE place IS NOT NULL
) AS p
WHERE n.listing_id = p.listing_id;
