"""Entity resolution over all listings: blocks, candidate pairs, judged pairs, and clusters.

Only listings that share a block (ZIP3, city + state, phone, website domain, email, or a
meeting time for groups without a place) are compared, and only pairs that could be one listing
(no conflict, no telling word apart) and whose names are at least `key_floor` alike (plus pairs
a person decided) are judged. Accepted pairs are
clustered with a union-find that refuses a union putting two conflicting listings (different
kinds or meeting times, a person's 'different') into one entity.
"""

import csv
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from schemas.errors import SupportDirError
from schemas.stable_id import Namespace
from warehouse.identity.matching import SHARED_HOSTS, Pair, Record, Thresholds, conflict, judge

# Fixed namespace: an entity id is uuid5(namespace, listing_id of its anchor) forever.
ENTITY_NAMESPACE = uuid.UUID("0b4f7d2a-9c3e-4e61-8a1d-5f2c6b7e9d40")
ENTITY_IDS = Namespace(ENTITY_NAMESPACE)
DECISIONS = ("same", "different")
MAX_CONTACT_BLOCK = 200
PLACE_BLOCKS = ("zip3:", "city:", "slot:")
Decisions = Mapping[tuple[str, str], tuple[str, str | None]]


class DecisionsInvalid(SupportDirError):
    """The review decisions file cannot be read as pairs with a decision."""


@dataclass
class Resolution:
    """The outcome of resolving: judged pairs, each listing's entity, and how it joined."""

    pairs: list[Pair] = field(default_factory=list)
    entity_of: dict[str, str] = field(default_factory=dict)
    joined_by: dict[str, tuple[str, float]] = field(default_factory=dict)

    def clusters(self) -> dict[str, list[str]]:
        """entity_id -> sorted listing ids."""
        found: dict[str, list[str]] = defaultdict(list)
        for listing_id, entity_id in sorted(self.entity_of.items()):
            found[entity_id].append(listing_id)
        return dict(found)


def pair_key(a: str, b: str) -> tuple[str, str]:
    """A pair of listing ids in a fixed order."""
    return (a, b) if a <= b else (b, a)


def load_decisions(path: Path | None) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Read the decisions CSV (left_listing_id, right_listing_id, decision, note); missing file -> none."""
    if path is None or not Path(path).exists():
        return {}
    decided: dict[tuple[str, str], tuple[str, str | None]] = {}
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        needed = {"left_listing_id", "right_listing_id", "decision"}
        if not needed <= set(reader.fieldnames or []):
            raise DecisionsInvalid(f"{path}: needs the columns {', '.join(sorted(needed))} (and note)")
        for line, row in enumerate(reader, start=2):
            left, right = (row["left_listing_id"] or "").strip(), (row["right_listing_id"] or "").strip()
            decision = (row["decision"] or "").strip().lower()
            if not left or not right or left == right or decision not in DECISIONS:
                raise DecisionsInvalid(
                    f"{path} line {line}: needs two different listing ids and a decision "
                    f"'same' or 'different' (got {decision or 'nothing'!r})")
            decided[pair_key(left, right)] = (decision, (row.get("note") or "").strip() or None)
    return decided


def blocks_of(record: Record) -> list[str]:
    """The blocking keys of one listing.

    Phone, email and website blocks are only for listings that are not groups: a group's shared
    contact is never a key (the judge ignores it), and one chapter's groups all share its contacts.
    """
    keys = []
    if record.postal_code:
        keys.append(f"zip3:{record.postal_code[:3]}")
    if record.place_city and record.state:
        keys.append(f"city:{record.place_city}|{record.state}")
    if record.kind != "group":
        keys += contact_blocks(record)
    if record.slots and not record.postal_code and not record.place_city:
        keys += [f"slot:{slot}" for slot in record.slots]
    return keys


def contact_blocks(record: Record) -> list[str]:
    """Blocking keys from a listing's phone, email and website."""
    keys = []
    if record.phone:
        keys.append(f"phone:{record.phone}")
    if record.email:
        keys.append(f"email:{record.email.lower()}")
    if record.site:
        host, _, path = record.site.partition("/")
        keys.append(f"site:{host}/{path.split('/')[0]}" if host in SHARED_HOSTS else f"site:{host}")
    return keys


def candidate_pairs(records: list[Record], floor: float) -> set[tuple[int, int]]:
    """Index pairs that share a block, could be one listing, and whose names score at least `floor`.

    A contact block shared by more than MAX_CONTACT_BLOCK listings (a national office's phone or
    home page) identifies no one: it is passed over, and those listings still meet by place.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in blocks_of(record):
            blocks[key].append(index)
    found: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2 or (len(members) > MAX_CONTACT_BLOCK and not key.startswith(PLACE_BLOCKS)):
            continue
        for left, right in compatible_parts([records[i] for i in members]):
            names = [records[members[i]].key_name for i in right]
            scores = process.cdist([records[members[i]].key_name for i in left], names,
                                   scorer=fuzz.token_set_ratio, score_cutoff=floor, workers=1)
            for x, y in zip(*scores.nonzero(), strict=True):
                if left[x] != right[y]:
                    found.add(pair_key_index(members[left[x]], members[right[y]]))
    return found


def compatible_parts(members: list[Record]) -> list[tuple[list[int], list[int]]]:
    """The block's members in parts, each with the members it is compared with (each pair once).

    `conflict` always refuses: other kinds; groups in other ZIPs; both with meeting times, not the
    same ones; and `distinct_words` always tells apart names with other region, day, time or
    audience words. A part is the members of one kind, ZIP, set of times ("" and 0: unknown) and
    set of telling words. It is compared with itself and with the parts that know less (no ZIP, or
    no times, or neither); a part with a ZIP and no times also with the parts with times and no
    ZIP. In a big city's block most pairs differ so: comparing parts, not every member with every
    other, keeps blocking near-linear.
    """
    slot_ids: dict[frozenset, int] = {frozenset(): 0}
    parts: dict[tuple[str, frozenset, str, int], list[int]] = defaultdict(list)
    timed_nowhere: dict[tuple[str, frozenset], list[int]] = defaultdict(list)  # times, no ZIP
    for position, record in enumerate(members):
        alike = (record.kind, record.telling_words)  # only these can ever be one listing
        place = (record.postal_code or "") if record.kind == "group" else ""
        times = slot_ids.setdefault(frozenset(record.slots), len(slot_ids))
        parts[(*alike, place, times)].append(position)
        if times and not place:
            timed_nowhere[alike].append(position)
    compared = []
    for (kind, words, place, times), own in parts.items():
        vaguer = {(kind, words, place, 0), (kind, words, "", times), (kind, words, "", 0)} \
            - {(kind, words, place, times)}
        others = [*own, *(position for key in vaguer for position in parts.get(key, []))]
        if place and not times:
            others += timed_nowhere[(kind, words)]
        compared.append((own, others))
    return compared


def pair_key_index(i: int, j: int) -> tuple[int, int]:
    """An index pair in order."""
    return (i, j) if i < j else (j, i)


def judge_all(records: list[Record], limits: Thresholds, decisions: Decisions) -> list[Pair]:
    """Judge every candidate pair and every decided pair whose listings are both known."""
    index = {r.listing_id: i for i, r in enumerate(records)}
    pairs = candidate_pairs(records, limits.key_floor)
    pairs |= {pair_key_index(index[a], index[b]) for a, b in decisions if a in index and b in index}
    judged = []
    for i, j in sorted(pairs):
        a, b = records[i], records[j]
        judged.append(judge(a, b, limits, decisions.get(pair_key(a.listing_id, b.listing_id))))
    return sorted(judged, key=lambda p: (p.left_id, p.right_id))


def _order(pair: Pair) -> tuple:
    """Strongest evidence first: a person's 'same', deterministic keys, then higher scores."""
    strength = 0 if pair.rule == "decision" else 2 if pair.rule == "fuzzy" else 1
    return (strength, -pair.score, pair.left_id, pair.right_id)


def cluster(records: list[Record], pairs: Iterable[Pair], decisions: Decisions) -> Resolution:
    """Union the accepted pairs, refusing unions that would join conflicting listings."""
    by_id = {r.listing_id: r for r in records}
    members: dict[str, list[str]] = {r.listing_id: [r.listing_id] for r in records}
    root = {r.listing_id: r.listing_id for r in records}
    result = Resolution()
    for pair in sorted(pairs, key=_order):
        result.pairs.append(pair)
        if pair.verdict != "same":
            continue
        a, b = root[pair.left_id], root[pair.right_id]
        if a == b:
            continue
        if _cannot_link(members[a], members[b], by_id, decisions):
            result.pairs[-1] = replace(pair, verdict="review", rule=f"{pair.rule}+cluster_conflict")
            continue
        keep, gone = (a, b) if len(members[a]) >= len(members[b]) else (b, a)
        for listing_id in members[gone]:
            root[listing_id] = keep
        members[keep] += members.pop(gone)
        for listing_id in (pair.left_id, pair.right_id):
            result.joined_by.setdefault(listing_id, (pair.rule, pair.score))
    for group in members.values():
        anchor = min(group, key=lambda i: (by_id[i].first_seen, i))
        entity_id = ENTITY_IDS.id_for(anchor)
        result.entity_of.update(dict.fromkeys(group, entity_id))
    result.pairs.sort(key=lambda p: (p.left_id, p.right_id))
    return result


def _cannot_link(left: list[str], right: list[str], by_id: Mapping[str, Record],
                 decisions: Decisions) -> bool:
    """Whether any listing of one cluster conflicts with any of the other (or a person said so)."""
    for a in left:
        for b in right:
            decided = decisions.get(pair_key(a, b))
            if decided and decided[0] == "different":
                return True
            if not decided and conflict(by_id[a], by_id[b]):
                return True
    return False


def resolve(records: list[Record], limits: Thresholds | None = None,
            decisions: Decisions | None = None) -> Resolution:
    """Judge the candidate pairs of these listings and cluster them into entities."""
    decided = decisions or {}
    return cluster(records, judge_all(records, limits or Thresholds(), decided), decided)

