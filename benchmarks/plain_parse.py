"""A plain hand-written parse of NAMI and DBSA pages from WARC files to one CSV (compare_parse's baseline).

    python benchmarks/plain_parse.py --out listings.csv FILE.warc.gz [...]

What an engineer would write in an afternoon: warcio for the records, BeautifulSoup with lxml for
the pages, phonenumbers for the phones, the csv module for the output. It never imports the project.
"""

import argparse
import csv
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import phonenumbers
from bs4 import BeautifulSoup
from warcio.archiveiterator import ArchiveIterator

COLUMNS = ("name", "state", "city", "phone", "email", "website", "url")
NAMI_PROFILE = "/find-your-local-nami/"
DBSA_STATE = "/find-a-support-group/"
DBSA_ONLINE = "/dbsa-national-online-cultural-and-identity-focused-support-group-offerings/"


def responses(paths: list[Path]):
    """(url, body) of every 200 response record of the WARC files."""
    for path in paths:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response" or record.http_headers.get_statuscode() != "200":
                    continue
                yield record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read()


def text(tag) -> str:
    """An element's text, whitespace collapsed ('' for no element)."""
    return " ".join(tag.get_text(" ").split()) if tag is not None else ""


def phone(raw: str) -> str:
    """E.164 of a US phone number, '' when there is none."""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(number) else ""


def href(tag, prefix: str = "") -> str:
    """The first link's target under a tag (starting with `prefix`, which is cut off)."""
    for anchor in tag.find_all("a", href=True) if tag is not None else []:
        if anchor["href"].lower().startswith(prefix):
            return anchor["href"][len(prefix):].strip()
    return ""


def nami_profile(url: str, soup: BeautifulSoup) -> dict:
    """A NAMI affiliate profile: the <h1> and the contact <dl>."""
    items = {}
    block = soup.find("dl", class_="affiliate-contact-information__content")
    for term in block.find_all("dt") if block is not None else []:
        items.setdefault(text(term).rstrip(":").lower(), term.find_next_sibling("dd"))
    city = state = ""
    address = items.get("address")
    if address is not None:  # street<br>City, ST 12345<br>United States
        lines = [line.strip() for line in address.get_text("\n").split("\n") if line.strip()]
        place = next((line for line in lines if "," in line), "")
        if place:
            city, _, rest = place.rpartition(",")
            state = rest.split()[0] if rest.split() else ""
    return {"name": text(soup.find("h1")), "state": state, "city": city.strip(),
            "phone": phone(text(items.get("phone"))), "email": href(items.get("email"), "mailto:"),
            "website": href(items.get("website")), "url": url}


def dbsa_state(url: str, soup: BeautifulSoup) -> list[dict]:
    """A DBSA state page: one row per groupInfo block (name, location line, email, website)."""
    state = parse_qs(urlsplit(url).query).get("state", [""])[0]
    rows = []
    for block in soup.find_all("div", class_="groupInfo"):
        location = text(block.find(class_="groupInfo__location"))
        links = block.find_all("a", href=True)
        website = next((a["href"] for a in links if "website" in text(a).lower()), "")
        rows.append({"name": text(block.find(class_="groupInfo__name")), "state": state,
                     "city": location.split(" - ")[0], "phone": "", "email": href(block, "mailto:"),
                     "website": website, "url": url})
    return rows


def dbsa_online(url: str, soup: BeautifulSoup) -> list[dict]:
    """DBSA's online groups page: one row per group heading."""
    content = soup.find(class_="entry-content") or soup
    return [{"name": text(h3), "state": "", "city": "", "phone": "", "email": "", "website": "", "url": url}
            for h3 in content.find_all("h3")]


def parse(url: str, body: bytes) -> list[dict]:
    """The rows of one page, by its kind (API pages and robots.txt give none)."""
    path = urlsplit(url).path
    if path.startswith(NAMI_PROFILE):
        return [nami_profile(url, BeautifulSoup(body, "lxml"))]
    if path.endswith(DBSA_STATE):
        return dbsa_state(url, BeautifulSoup(body, "lxml"))
    if path.endswith(DBSA_ONLINE):
        return dbsa_online(url, BeautifulSoup(body, "lxml"))
    return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="The CSV to write.")
    parser.add_argument("warcs", type=Path, nargs="+", help="WARC files.")
    args = parser.parse_args()
    seen = set()
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for url, body in responses(args.warcs):
            for row in parse(url, body):
                # DBSA lists a regional chapter on two state pages: one row for it
                dbsa = DBSA_STATE in url
                same = (row["name"], row["email"], row["website"]) if dbsa else tuple(row.values())
                if same not in seen:
                    seen.add(same)
                    writer.writerow(row)
    print(f"{len(seen)} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
