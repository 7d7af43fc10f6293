"""One vocabulary of audiences (who a group is for), read from the words a source uses."""

import re

# Canonical audience tags, in the order listings carry them, with the words that state them.
AUDIENCE_WORDS: dict[str, re.Pattern[str]] = {
    "peers": re.compile(r"\bpeers?\b|\bliving with\b|\bpeople in recovery\b", re.I),
    "family": re.compile(
        r"\bfamil(?:y|ies)\b|\bfriends\b|\bloved ones?\b|\bcaregivers?\b|\bconcerned significant others?\b",
        re.I,
    ),
    "parents": re.compile(r"\bparents?\b|\bpadres\b", re.I),
    "young adults": re.compile(r"\byoung (?:adults?|people)\b|\bages 18\s*(?:-|–|to)\s*[23]\d\b", re.I),
    "teens": re.compile(r"\bteens?\b|\badolescents?\b|\balateen\b", re.I),
    "older adults": re.compile(r"\bolder adults?\b|\bseniors?\b", re.I),
    "women": re.compile(r"\bwomen(?:'s|’s)?\b|\bwomxn\b", re.I),
    "men": re.compile(r"\bmen(?:'s|’s)?\b", re.I),
    "LGBTQ+": re.compile(
        r"\blgbt\w*\+?|\bgay\b|\blesbian\b|\bbisexual\b|\btransgender\b|\bqueer\b|\bnon-?binary\b", re.I
    ),
    "veterans": re.compile(r"\bveterans?\b|\bmilitary\b|\bservice members?\b", re.I),
    "Black/African American": re.compile(r"\bblack\b|\bafrican[- ]americans?\b", re.I),
    "Hispanic/Latino": re.compile(r"\blatin[aoxe]\w*\b|\bhispanic\b", re.I),
    "BIPOC": re.compile(r"\bbipoc\b|\bpeople of colou?r\b", re.I),
    "Indigenous": re.compile(r"\bindigenous\b|\bnative americans?\b", re.I),
    "professionals": re.compile(r"\bprofessionals\b", re.I),
    "newcomers": re.compile(r"\bnewcomers?\b|\bbeginners?\b", re.I),
}
ORDER = tuple(AUDIENCE_WORDS)


def audiences_in(text: str | None) -> tuple[str, ...]:
    """The audience tags a text names, in vocabulary order ("LGBTQ+ young adults" -> both)."""
    if not text:
        return ()
    return tuple(tag for tag, words in AUDIENCE_WORDS.items() if words.search(text))


def ordered(tags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Tags deduplicated in vocabulary order (unknown tags last, as given)."""
    known = [tag for tag in ORDER if tag in tags]
    return tuple(known + [tag for tag in dict.fromkeys(tags) if tag not in AUDIENCE_WORDS])
