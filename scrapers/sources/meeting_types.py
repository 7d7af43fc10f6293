"""Meeting Guide type codes (code4recovery spec, MIT): readable names and the audiences they state.

The names come from scrapers/data/meeting_guide_types.json, a copy of the spec's types.json
(license in scrapers/data/LICENSE-meeting-guide-types.txt). Exports can use `type_names` too.
"""

import json
from functools import cache
from pathlib import Path

TYPES_FILE = Path(__file__).parents[1] / "data" / "meeting_guide_types.json"
TEMPORARILY_CLOSED = "TC"  # the physical location is temporarily closed (the meeting may be online)

# Codes that say who a meeting is for, as the project's audience tags (scrapers/sources/audiences.py).
AUDIENCE_CODES: dict[str, str] = {
    "W": "women", "M": "men", "Y": "young adults", "SEN": "older adults",
    "LGBTQ": "LGBTQ+", "G": "LGBTQ+", "L": "LGBTQ+", "BI": "LGBTQ+", "T": "LGBTQ+", "NB": "LGBTQ+",
    "POC": "BIPOC", "N": "Indigenous", "NDG": "Indigenous", "P": "professionals", "BE": "newcomers",
}


@cache
def meeting_types() -> dict[str, dict[str, str]]:
    """Every known code with its names by language ({"O": {"en": "Open", "es": "Abierta", ...}})."""
    return json.loads(TYPES_FILE.read_text(encoding="utf-8"))


def type_name(code: str, language: str = "en") -> str | None:
    """The readable name of a code in a language (English if that language lacks it); None if unknown."""
    names = meeting_types().get(code)
    return (names.get(language) or names.get("en")) if names else None


def type_names(codes: tuple[str, ...] | list[str], language: str = "en") -> list[str]:
    """Readable names of the known codes, in the order given; unknown codes are left out."""
    return [name for code in codes if (name := type_name(code, language))]


def audiences_of(codes: tuple[str, ...] | list[str]) -> list[str]:
    """The audience tags the codes state (W -> women, Y -> young adults...), without repeats."""
    return list(dict.fromkeys(AUDIENCE_CODES[code] for code in codes if code in AUDIENCE_CODES))
