"""The `--redact-people` switch: drop person names and personal contact details, keep organizations'.

What counts as personal (documented in the README, tested on every export):

- an email whose local part looks like a person's name (two or more words joined by `.`, `_` or
  `-`, none of them a role word or a word of the listing's name, e.g. `jane.doe@`, `j_smith@`);
- an email at a free-mail domain (gmail.com, yahoo.com, ...) whose local part does not name the
  group (no role word, no word of the listing's name or alliance: `dbsalexington@gmail.com`
  stays, `jdoe1970@gmail.com` goes);
- in free text (description, schedule text): a name after a person label ("contact Jane Doe",
  "facilitator: John S.", "call Mary at ...") and the phone number or email that follows it,
  and any personal email as above.

Organization contact points stay: an alliance's or chapter's phone, a role address such as
`info@` or `youngadults@dbsalouisville.org`, websites, registration links.
"""

import re

import duckdb

from warehouse.udf_registry import Problems, register_functions

FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com", "outlook.com", "live.com",
    "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "comcast.net", "att.net", "sbcglobal.net",
    "verizon.net", "bellsouth.net", "charter.net", "cox.net", "earthlink.net", "protonmail.com",
    "proton.me", "gmx.com", "mail.com", "zoho.com", "yandex.com", "hotmail.co.uk", "yahoo.co.uk",
})
ROLE_WORDS = frozenset({
    "info", "contact", "contacts", "help", "office", "admin", "support", "hello", "team", "staff",
    "director", "president", "membership", "members", "programs", "program", "groups", "group",
    "chapter", "events", "volunteer", "volunteers", "family", "families", "peer", "peers", "youth",
    "circle", "young", "adults", "virtual", "online", "meetings", "meeting", "board", "mail", "email",
    "hotline", "intake", "referrals", "education", "outreach", "ask", "webmaster", "general",
})
LOCAL_SPLIT = re.compile(r"[._\-+]+")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PHONE = r"(?:\+?1[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}(?:\s*(?:x|ext\.?)\s*\d+)?"
NAME = r"[A-Z][a-z]+(?:[ \-](?:[A-Z][a-z]+|[A-Z]\.?))?"
LABEL = (r"(?:contact|call|text|e-?mail|ask for|reach|facilitator|facilitated by|led by|leader|"
         r"host|hosted by|coordinator|moderator)")
# "contact Jane Doe at 502-555-0100", "Facilitator: John S. (502) 555-0100", "call Mary".
PERSON = re.compile(
    rf"\b(?P<label>(?i:{LABEL}))(?P<sep>\s*:?\s+)(?P<name>{NAME})(?![a-z])(?P<rest>(?:\s*(?:at|on|by|:|,|-|–)?\s*"
    rf"(?:{PHONE}|{EMAIL.pattern}))*)",
)
NOT_A_PERSON = frozenset({"us", "the", "our", "nami", "dbsa", "group", "chapter", "office", "line",
                          "center", "alliance", "support", "lifeline", "crisis", "ahead", "first"})
REMOVED_NAME = "[name removed]"
REMOVED_EMAIL = "[email removed]"


def _words(*texts: str | None) -> set[str]:
    """Lowercase words of four or more letters, plus short all-caps acronyms (NAMI, DBSA, SA)."""
    found: set[str] = set()
    for text in texts:
        for word in re.findall(r"[A-Za-z]+", text or ""):
            if len(word) >= 4 or (word.isupper() and len(word) >= 2):
                found.add(word.lower())
    return found


def personal_email(email: str | None, name: str | None = None, organization: str | None = None) -> bool:
    """Whether an email address is a person's rather than an organization's contact point."""
    if not email or "@" not in email:
        return False
    local, _, domain = email.lower().rpartition("@")
    own = _words(name, organization)
    named = any(role in local for role in ROLE_WORDS) or any(word in local for word in own)
    tokens = [t for t in LOCAL_SPLIT.split(local) if t]
    looks_like_a_name = len(tokens) >= 2 and all(t.isalpha() for t in tokens) and not named
    return looks_like_a_name or (domain in FREE_MAIL and not named)


def keep_email(email: str | None, name: str | None = None, organization: str | None = None) -> str | None:
    """The email when it is an organization's, else None."""
    return None if personal_email(email, name, organization) else email


def redact_text(text: str | None, name: str | None = None, organization: str | None = None) -> str | None:
    """Free text without person names after a person label, their phones and emails, nor personal emails."""
    if not text:
        return text

    def person(match: re.Match) -> str:
        if match["name"].split()[0].lower().strip(".") in NOT_A_PERSON:
            return match[0]
        return f"{match['label']}{match['sep']}{REMOVED_NAME}"

    text = PERSON.sub(person, text)
    return EMAIL.sub(lambda m: REMOVED_EMAIL if personal_email(m[0], name, organization) else m[0], text)


FUNCTIONS = {name: (function, ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR")
             for name, function in (("keep_email", keep_email), ("redact_text", redact_text))}


def register(con: duckdb.DuckDBPyConnection, problems: Problems | None = None) -> Problems:
    """Register the redaction functions in DuckDB (used by warehouse/publish/sql/export_view.sql)."""
    return register_functions(con, FUNCTIONS, problems)
