"""Pairwise matching: are two listings the same real-world chapter or group? (pure Python, no DuckDB).

A pair is judged in this order: a person's decision from the decisions file; hard
conflicts (different kinds, meeting times, states, or a group's ZIP); words that tell
names apart (north/south, a weekday, an audience); deterministic keys (same phone,
website or email with a plausible name, two of them across alliances; same normalized
name and ZIP; same normalized name, meeting times and place); then the fuzzy name score
(rapidfuzz), adjusted for the place, against the merge and review thresholds.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from urllib.parse import urlsplit

from rapidfuzz import fuzz

Verdict = Literal["same", "review", "different"]

# Long forms become the alliance's acronym, then acronyms and filler words are dropped
# (an alliance's listings all carry its name; "Inc." and "of" say nothing about identity).
EXPANSIONS = (
    ("national alliance on mental illness", "nami"),
    ("depression and bipolar support alliance", "dbsa"),
    ("depression bipolar support alliance", "dbsa"),
    ("mental health america", "mha"),
    ("mental health association", "mha"),
    ("schizophrenia alliance", "sa"),
    ("saint", "st"),
    ("mount", "mt"),
    ("fort", "ft"),
)
ALLIANCE_TOKENS = frozenset({"nami", "dbsa", "mha", "sa", "spaa", "sardaa"})
FILLER_TOKENS = frozenset({
    "the", "of", "and", "inc", "incorporated", "llc", "chapter", "affiliate", "a", "an", "in", "for",
    "at", "on", "group", "support", "meeting", "county", "greater", "area", "metro", "region", "regional",
})
# Words that make two otherwise alike names different things: which part of a region, which
# day or time, which audience. A name that has one the other lacks is a different listing.
DISTINCT_TOKENS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "northeast",
    "northwest", "southeast", "southwest", "upper", "lower", "central", "coast",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "morning", "afternoon", "evening", "night", "midday", "noon", "weekend",
    "family", "families", "friends", "peer", "peers", "youth", "teen", "teens", "young", "women",
    "womens", "men", "mens", "veterans", "lgbtq", "spanish", "espanol", "parents", "caregivers",
    "seniors", "students", "virtual", "online", "beginners", "step",
})
# Hosts that many listings share: the first path segment tells them apart.
SHARED_HOSTS = frozenset({
    "facebook.com", "instagram.com", "sites.google.com", "nami.org", "dbsalliance.org", "meetup.com",
    "groups.io", "linktr.ee", "mhanational.org", "wixsite.com", "squarespace.com",
})


@dataclass(frozen=True)
class Thresholds:
    """Where the adjusted name score merges a pair, sends it to review, or keeps it apart."""

    merge: float = 88.0   # chosen on the `tune` half of benchmarks/dedup_pairs.jsonl
    review: float = 70.0
    key_floor: float = 50.0   # least name score for a shared phone/website/email to count
    place_bonus: float = 5.0  # same ZIP or same city
    place_penalty: float = 15.0  # both cities known and different


@dataclass(frozen=True)
class Record:
    """What the matcher knows of one listing."""

    listing_id: str
    source: str
    kind: str
    name: str
    organization: str = ""
    source_key: str = ""
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    website: str | None = None
    email: str | None = None
    service_area: tuple[str, ...] = ()
    slots: tuple[str, ...] = field(default=(), metadata={"doc": "meeting times, e.g. 'MO@19:00'"})
    first_seen: str = ""
    # The alliance or feed family (each source says its own; the build writes it to source_traits):
    # listings of different families (a NAMI and an MHA affiliate) are one organization only on
    # contact evidence (same phone, website or email). Empty: the source's name.
    family: str = ""

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", self.source)

    @cached_property
    def tokens(self) -> tuple[str, ...]:
        """The name's tokens after folding, expansion and dropping alliance and filler words."""
        return name_tokens(self.name)

    @cached_property
    def key_name(self) -> str:
        """The normalized name: its tokens joined (used by the scorer and the exact-name keys)."""
        return " ".join(self.tokens)

    @cached_property
    def telling_words(self) -> frozenset[str]:
        """The name's region, day, time and audience words and its numbers (see `distinct_words`)."""
        return frozenset(w for w in self.tokens if w in DISTINCT_TOKENS or w.isdigit())

    @cached_property
    def site(self) -> str | None:
        """Website as host (no www) plus path, lowercased: equal sites are one key."""
        return site_key(self.website)

    @cached_property
    def place_city(self) -> str | None:
        """City folded for comparison."""
        return (fold(self.city).strip() or None) if self.city else None


@dataclass(frozen=True)
class Pair:
    """A judged pair of listings (left_id < right_id)."""

    left_id: str
    right_id: str
    rule: str
    score: float
    verdict: Verdict
    decided: str | None = None
    note: str | None = None


def fold(text: str) -> str:
    """Casefold and strip accents (é -> e)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_tokens(name: str) -> tuple[str, ...]:
    """Fold, turn '&' into 'and', drop punctuation, expand long forms, drop alliance and filler words."""
    text = fold(name).replace("&", " and ").replace("’", "").replace("'", "")
    text = " " + re.sub(r"[^a-z0-9]+", " ", text) + " "
    for long, short in EXPANSIONS:
        text = text.replace(f" {long} ", f" {short} ")
    words = [w.removesuffix("s") if w in ("womens", "mens") else w for w in text.split()]
    kept = tuple(w for w in words if w not in ALLIANCE_TOKENS and w not in FILLER_TOKENS)
    return kept or tuple(words)


def site_key(url: str | None) -> str | None:
    """host (without www.) + path without trailing slash, lowercased; None for no URL."""
    if not url:
        return None
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/').lower()}" if host else None


def name_score(a: Record, b: Record) -> float:
    """Token-based similarity of the normalized names, 0-100 (mean of sorted and set ratios)."""
    return (fuzz.token_sort_ratio(a.key_name, b.key_name) + fuzz.token_set_ratio(a.key_name, b.key_name)) / 2


def conflict(a: Record, b: Record) -> str | None:
    """Why two listings can never be one (kind, meeting times, a group's ZIP, state); None if they can."""
    if a.kind != b.kind:
        return "kind"
    if a.slots and b.slots and set(a.slots) != set(b.slots):
        return "meeting_time"
    if a.kind == "group" and a.postal_code and b.postal_code and a.postal_code != b.postal_code:
        return "place"
    if a.state and b.state and a.state != b.state \
            and a.state not in b.service_area and b.state not in a.service_area:
        return "state"
    return None


def shared_contacts(a: Record, b: Record) -> list[str]:
    """The contacts both publish alike: phone, website, email."""
    shared = []
    if a.phone and a.phone == b.phone:
        shared.append("phone")
    if a.site and a.site == b.site:
        shared.append("website")
    if a.email and b.email and a.email.lower() == b.email.lower():
        shared.append("email")
    return shared


def exact_key(a: Record, b: Record) -> str | None:
    """Same normalized name and the same ZIP, or (groups) the same meeting times."""
    if a.key_name != b.key_name:
        return None
    if a.slots and set(a.slots) == set(b.slots) and a.postal_code == b.postal_code:
        return "name_time"
    if a.postal_code and a.postal_code == b.postal_code:
        return "name_zip"
    return None


def distinct_words(a: Record, b: Record) -> set[str]:
    """Region, day, time or audience words (or numbers) that one name has and the other lacks."""
    return set(a.telling_words ^ b.telling_words)


def adjusted_score(a: Record, b: Record, score: float, limits: Thresholds) -> float:
    """The name score moved by the place: up for the same ZIP or city, down for different cities."""
    if (a.postal_code and a.postal_code == b.postal_code) or (a.place_city and a.place_city == b.place_city):
        score += limits.place_bonus
    elif a.place_city and b.place_city:
        score -= limits.place_penalty
    return max(0.0, min(100.0, score))


def judge(a: Record, b: Record, limits: Thresholds, decision: tuple[str, str | None] | None = None) -> Pair:
    """Judge one pair: a person's decision, hard conflicts, deterministic keys, then the fuzzy score."""
    left, right = sorted((a, b), key=lambda r: r.listing_id)
    score = round(name_score(a, b), 1)

    def pair(rule: str, verdict: Verdict, value: float = score) -> Pair:
        return Pair(left.listing_id, right.listing_id, rule, value, verdict,
                    decision[0] if decision else None, decision[1] if decision else None)

    if decision:
        return pair("decision", "same" if decision[0] == "same" else "different")
    blocked = conflict(a, b)
    if blocked:
        return pair(f"conflict:{blocked}", "different")
    if distinct_words(a, b):
        return pair("distinct_words", "different")
    # Groups of one chapter or intergroup share its phone and email: for groups a shared contact
    # is no key, only the name, meeting times and place are.
    contacts = shared_contacts(a, b) if a.kind != "group" else []
    if contacts and score >= limits.key_floor:
        if a.family == b.family:
            return pair(contacts[0], "same")
        if len(contacts) >= 2:  # two alliances' listings: one shared phone may be a shared office
            return pair("cross_" + "+".join(contacts), "same")
    exact = exact_key(a, b)
    if exact and (a.family == b.family or exact == "name_time"):
        return pair(exact, "same")
    if a.family != b.family:
        return pair("cross_family", "different")
    adjusted = round(adjusted_score(a, b, score, limits), 1)
    if adjusted >= limits.merge:
        return pair("fuzzy", "same", adjusted)
    return pair("fuzzy", "review" if adjusted >= limits.review else "different", adjusted)
