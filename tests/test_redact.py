"""What --redact-people treats as personal: emails and names in free text (warehouse/publish/redact.py)."""

import pytest

from warehouse.publish.redact import keep_email, personal_email, redact_text


@pytest.mark.parametrize(("email", "name", "personal"), [
    ("jane.doe@gmail.com", "DBSA Lexington", True),          # a person's name, free mail
    ("j_smith@dbsalex.org", "DBSA Lexington", True),          # first_last at the group's domain
    ("jdoe1970@yahoo.com", "DBSA Lexington", True),           # free mail, nothing of the group
    ("dbsalexington@gmail.com", "DBSA Lexington", False),     # free mail, but it names the group
    ("info@namilex.org", "NAMI Lexington", False),            # a role address
    ("youngadults@dbsalouisville.org", "DBSA Louisville Young Adults Group", False),
    ("family.support@namiky.org", "NAMI Kentucky", False),    # two words, but role words
    ("virtual@namiky.org", "NAMI Kentucky Virtual", False),
    (None, "x", False),
])
def test_personal_email(email, name, personal):
    assert personal_email(email, name, "DBSA") is personal
    assert keep_email(email, name, "DBSA") == (None if personal else email)


def test_redact_text_drops_labelled_names_and_their_contact_details():
    text = ("Peer-led. Contact Jane Doe at 859-555-0134 or jane.doe@gmail.com. "
            "Facilitator: John S. (502) 555-0100. Call the office at 859-555-0100. "
            "Email info@namilex.org. Contact NAMI Lexington for details.")
    redacted = redact_text(text, "NAMI Lexington", "NAMI")
    for gone in ("Jane", "Doe", "859-555-0134", "jane.doe@gmail.com", "John", "(502) 555-0100"):
        assert gone not in redacted
    for kept in ("Peer-led.", "Call the office at 859-555-0100", "info@namilex.org",
                 "Contact NAMI Lexington for details."):
        assert kept in redacted
    assert redacted.count("[name removed]") == 2
    assert redact_text(None) is None and redact_text("Meets Mondays at 7 p.m.") == "Meets Mondays at 7 p.m."
