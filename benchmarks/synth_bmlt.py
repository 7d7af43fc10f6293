"""Synthetic BMLT: the aggregator's root-server list, then GetFormats and GetSearchResults per server.

Each root server is its own host (mirrored as /<host><path>) serving one region's meetings, all
fields strings as real servers write them. Variants of DESIGN.md ("BMLT"): some servers wrap their
meetings as {"meetings": [...]}, older ones have no `venue_type`, a few meetings are unpublished
(`published: "0"`), and one server abroad (Western Australia, `WA`) lists meetings that are not
listed. `listings` counts only the published US meetings.
"""

import json
import random

from benchmarks import synth
from benchmarks.synth import Pages
from scrapers.sources.bmlt import AGGREGATOR_PATH, FORMATS, SEARCH

LIVE = "https://aggregator.bmltenabled.org"
JSON = {"Content-Type": "application/json; charset=UTF-8"}
SERVERS = 40  # US root servers (the aggregator lists about 44, many abroad)
FORMAT_NAMES = {"O": "Open", "C": "Closed", "BT": "Basic Text", "W": "Women", "M": "Men",
                "YP": "Young People", "JFT": "Just for Today", "St": "Step Study", "VM": "Virtual Meeting",
                "WC": "Wheelchair Accessible"}
ABROAD = {"id": "900", "state": "WA", "lat": -31.95, "long": 115.86}  # Perth: a state-like code, not a state


def server_url(number: int) -> str:
    """A root server's URL (…/main_server/)."""
    return f"https://bmlt.na-region-{number}.example.org/main_server/"


def page_url(server: str, switcher: str) -> str:
    """One of a server's two pages."""
    return f"{server.rstrip('/')}/client_interface/json/?switcher={switcher}"


def formats_page() -> bytes:
    """A server's GetFormats answer (English names)."""
    return json.dumps([{"key_string": key, "name_string": name, "description_string": f"{name} meeting.",
                        "lang": "en", "id": str(i + 1), "world_id": key.upper()}
                       for i, (key, name) in enumerate(FORMAT_NAMES.items())]).encode()


def meeting(rng: random.Random, number: int, state: str, venue_types: bool) -> dict:
    """One meeting of a server in `state`, every field a string."""
    entry = synth.place(rng, state)
    latitude, longitude = synth.point(rng, entry)
    venue = rng.choice("1113")
    item = {"id_bigint": str(number), "meeting_name": f"{rng.choice(synth.WORDS)} NA {number}",
            "weekday_tinyint": str(rng.randint(1, 7)), "start_time": f"{rng.randint(6, 21):02d}:30:00",
            "duration_time": "01:00:00", "time_zone": entry["timezone"],
            "formats": ",".join(rng.sample(sorted(FORMAT_NAMES), 2)), "lang_enum": "en",
            "latitude": str(latitude), "longitude": str(longitude), "location_text": f"{entry['city']} Hall",
            "location_street": synth.street(rng), "location_municipality": entry["city"],
            "location_province": state, "location_postal_code_1": entry["zip_code"], "comments": "",
            "virtual_meeting_link": "https://zoom.us/j/5550100" if venue == "3" else "",
            "phone_meeting_number": "", "published": "1"}
    if venue_types:
        item["venue_type"] = venue
    return item


def server_entry(number: int, name: str, url: str, latitude: float, longitude: float) -> dict:
    """One aggregator entry: serverInfo is a JSON string holding the centre."""
    info = [{"version": "3.0.4", "centerLatitude": str(latitude), "centerLongitude": str(longitude),
             "regionBias": "us", "distanceUnits": "mi"}]
    return {"id": number, "name": name, "url": url, "serverInfo": json.dumps(info), "statistics": "{}"}


def generate(count: int, rng: random.Random) -> Pages:
    """`count` published US meetings over SERVERS servers (and a few extra that are not listed)."""
    states = sorted(synth.zips_by_state())
    pages, hosts, entries, number = {}, {}, [], 0
    sizes = [count // SERVERS + (1 if i < count % SERVERS else 0) for i in range(SERVERS)]
    for index, size in enumerate(sizes):
        state, url = states[index % len(states)], server_url(index + 1)
        centre = synth.place(rng, state)
        meetings = []
        for _ in range(size):
            meetings.append(meeting(rng, number, state, venue_types=index % 5 != 4))
            number += 1
        if index % 10 == 0:  # an unpublished meeting, not listed
            meetings.append({**meeting(rng, number, state, True), "published": "0"})
            number += 1
        body = {"meetings": meetings} if index % 7 == 6 else meetings
        entries.append(server_entry(index + 1, f"NA Region {index + 1}", url, *synth.point(rng, centre)))
        _serve(pages, hosts, url, body)
    abroad = server_url(int(ABROAD["id"]))
    perth = {"lat": str(ABROAD["lat"]), "long": str(ABROAD["long"]), "city": "Perth", "zip_code": "6000",
             "timezone": "Australia/Perth"}
    meetings = [{**meeting(rng, number + i, "WA", True), "latitude": perth["lat"], "longitude": perth["long"],
                 "location_municipality": perth["city"], "location_postal_code_1": perth["zip_code"],
                 "time_zone": perth["timezone"]} for i in range(3)]
    entries.append(server_entry(900, "Western Australia Area", abroad, ABROAD["lat"], ABROAD["long"]))
    _serve(pages, hosts, abroad, meetings)
    pages[synth.key_of(LIVE + AGGREGATOR_PATH)] = (200, JSON, json.dumps(entries).encode())
    return Pages(pages, count, 0, host="aggregator.bmltenabled.org", hosts=hosts)


def _serve(pages: dict, hosts: dict, server: str, meetings: list | dict) -> None:
    """A server's two pages on the mirror, with the host they stand for."""
    host = server.split("/")[2]
    for switcher, body in ((FORMATS, formats_page()), (SEARCH, json.dumps(meetings).encode())):
        key = synth.mirrored_key(page_url(server, switcher))
        pages[key] = (200, JSON, body)
        hosts[key] = host
