"""A synthetic warehouse of many listings (chapters, weekly and monthly groups, phone lines), for the
export's checks at national size without crawling: `write_synthetic(con, count)`."""

import random
from datetime import UTC, datetime

from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from schemas.schedule import ScheduleRule
from warehouse import normalize, stage

FETCHED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
PLACES = [("Lexington", "KY", "40507", "America/New_York"),
          ("Austin", "TX", "78701", "America/Chicago"),
          ("Denver", "CO", "80202", "America/Denver"), ("Portland", "OR", "97201", "America/Los_Angeles"),
          ("Richmond", "VA", "23219", "America/New_York"), ("Madison", "WI", "53703", "America/Chicago")]
WORDS = ("Hope", "Serenity", "Evening", "Morning", "Family", "Peer", "Circle", "Recovery", "Friends",
         "Bridge")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SOURCES = ("dbsa", "nami", "sardaa")
GROUPS_PER_CHAPTER = 20


def synthetic_listings(count: int, seed: int = 15) -> list[ParsedListing]:
    """`count` listings: a chapter, then its groups (in person, online, by phone; weekly or monthly)."""
    rng = random.Random(seed)
    listings: list[ParsedListing] = []
    chapter = ""
    for number in range(count):
        source = SOURCES[number % len(SOURCES)]
        city, state, zip_code, zone = rng.choice(PLACES)
        base = {"source": source, "organization": source.upper(), "fetched_at": FETCHED,
                "content_sha256": f"{number:064x}", "source_url": f"https://{source}.example.org/{number}/"}
        if number % GROUPS_PER_CHAPTER == 0:
            chapter = f"c{number}"
            listings.append(ParsedListing(
                **base, source_key=chapter, kind="chapter", name=f"{source.upper()} {city} {number}",
                address=f"{rng.randint(1, 999)} Main St.\n{city}, {state} {zip_code}",
                phone=f"(859) 555-{rng.randint(0, 9999):04d}", email=f"chapter{number}@example.org",
                website=f"https://{chapter}.example.org/", topics=("depression",), audiences=("peers",)))
            continue
        attendance = rng.choice(("in_person", "in_person", "online", "phone"))
        day = rng.choice(DAYS)
        rule = (ScheduleRule(freq="WEEKLY", byday=day, opens_at=f"{rng.randint(7, 20):02d}:00",
                             closes_at=None, timezone=zone) if rng.random() < 0.8 else
                ScheduleRule(freq="MONTHLY", byday=f"2{day}", opens_at="19:00", closes_at="20:30",
                             timezone=zone))
        listings.append(ParsedListing(
            **base, source_key=f"{chapter}/g{number}", parent_key=chapter, kind="group",
            name=" ".join(rng.sample(WORDS, 2)) + f" Group {number}", attendance=attendance,
            address=(f"{rng.randint(1, 999)} Oak Ave.\n{city}, {state} {zip_code}"
                     if attendance == "in_person" else None),
            city=city, state=state, location_name="Community Church" if attendance == "in_person" else None,
            conference_url=f"https://meet.example.org/j/{number}" if attendance == "online" else None,
            phone=f"(512) 555-{rng.randint(0, 9999):04d}" if attendance == "phone" else None,
            email=f"group{number}@example.org" if rng.random() < 0.5 else None,
            schedule=(rule,), topics=("bipolar",), audiences=("family",) if rng.random() < 0.3 else ()))
    return listings


def write_synthetic(con, count: int, run_id: str = "synthetic", seed: int = 15) -> None:
    """Stage and normalize `count` synthetic listings as one run (one outcome per source)."""
    listings = synthetic_listings(count, seed)
    stage.start_run(con, RunSummary(run_id=run_id, mode="replay", started_at=FETCHED, warehouse=":memory:"))
    for source in SOURCES:
        mine = [x for x in listings if x.source == source]
        outcome = SourceOutcome(source=source, status="ok", listings=len(mine))
        stage.record_source(con, run_id, outcome, [], mine)
    normalize.normalize_run(con, run_id, FETCHED)
