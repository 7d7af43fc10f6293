-- The pairs a person should decide: scored between the review and merge thresholds (verdict 'review'),
-- with what tells them apart, and the decision already recorded for them, if any.
SELECT
    p.left_id AS left_listing_id,
    p.right_id AS right_listing_id,
    p.score,
    a.name AS left_name,
    b.name AS right_name,
    a.source AS left_source,
    b.source AS right_source,
    nullif(concat_ws(', ', a.city, a.state), '') AS left_place,
    nullif(concat_ws(', ', b.city, b.state), '') AS right_place,
    nullif(concat_ws(' ', a.phone, a.website, CASE WHEN getvariable('redact_people')
        THEN keep_email(a.email, a.name, a.organization) ELSE a.email END), '') AS left_contact,
    nullif(concat_ws(' ', b.phone, b.website, CASE WHEN getvariable('redact_people')
        THEN keep_email(b.email, b.name, b.organization) ELSE b.email END), '') AS right_contact,
    p.decided AS decision,
    p.note
FROM match_pairs AS p
JOIN listings AS a ON a.listing_id = p.left_id
JOIN listings AS b ON b.listing_id = p.right_id
WHERE p.verdict = 'review'
ORDER BY p.score DESC, p.left_id, p.right_id
