-- csv_cell(v): one CSV cell as text, neutralized against formula injection (OWASP "CSV Injection").
-- A text value starting with =, +, -, @, tab or carriage return gets a leading apostrophe, so a
-- spreadsheet shows it as text instead of running it. An E.164 phone number (+ and digits only,
-- checked by the data checks) cannot hold a formula and stays as it is. Non-text values (numbers)
-- are written as they are. Only the CSV export uses this; Parquet and JSON Lines keep the values.
CREATE OR REPLACE TEMP MACRO csv_cell(v) AS
CASE
    WHEN typeof(v) <> 'VARCHAR' THEN CAST(v AS VARCHAR)
    WHEN regexp_full_match(CAST(v AS VARCHAR), '\+[1-9][0-9]{6,14}') THEN CAST(v AS VARCHAR)
    ELSE regexp_replace(CAST(v AS VARCHAR), '^([=+\-@\t\r])', '''\1')
END
