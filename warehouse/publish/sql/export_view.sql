-- What every export reads: the directory, with person names and personal contact details taken
-- out when the build asks for it (SET VARIABLE redact_people = true; see warehouse/publish/redact.py).
-- Organization contact points (role emails, phones, websites, registration links) stay.
-- A table, made once per export with next_meeting_at computed now (in the rule's zone): the listing
-- files and the records every other export is built from read it, not the view and its functions again.
CREATE OR REPLACE TEMP TABLE export_directory AS
SELECT
    * REPLACE (
        CASE WHEN getvariable('redact_people') THEN keep_email(email, name, organization)
             ELSE email END AS email,
        CASE WHEN getvariable('redact_people') THEN redact_text(description, name, organization)
             ELSE description END AS description,
        CASE WHEN getvariable('redact_people') THEN redact_text(schedule_text, name, organization)
             ELSE schedule_text END AS schedule_text
    ),
    next_meeting_at(schedule, now()) AS next_meeting_at
FROM directory
ORDER BY listing_id;

-- The entities and the review pairs, with the same redaction.
CREATE OR REPLACE TEMP VIEW export_entities AS
SELECT
    * REPLACE (
        CASE WHEN getvariable('redact_people') THEN keep_email(email, name, organization)
             ELSE email END AS email,
        CASE WHEN getvariable('redact_people') THEN redact_text(description, name, organization)
             ELSE description END AS description,
        CASE WHEN getvariable('redact_people') THEN redact_text(schedule_text, name, organization)
             ELSE schedule_text END AS schedule_text
    )
FROM entities;
