"""Evaluate the real matcher on the labelled pairs (benchmarks/dedup_pairs.jsonl): precision and recall.

Each labelled pair is resolved exactly as a build resolves listings: contacts normalized by
the warehouse's own functions (E.164 phones, canonical URLs, checked emails), then blocked,
judged and clustered by warehouse.identity.clustering. A pair is predicted "same" when both listings
end in one entity; a pair sent to review counts as not merged. The pairs come in three
parts: `tune` (the thresholds were chosen on it), `holdout` (the other half of the first 76
pairs; its errors were seen while the rules were written) and `fresh` (20 pairs written
after the matcher was frozen, never used to change it).

    .venv/bin/python benchmarks/dedup_eval.py            # every part, with the misjudged pairs
    .venv/bin/python benchmarks/dedup_eval.py --sweep    # precision/recall on `tune` per threshold
"""

import argparse
import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse.identity.clustering import resolve
from warehouse.identity.matching import Record, Thresholds
from warehouse.udfs import clean_email, clean_url, e164

PAIRS = Path(__file__).with_name("dedup_pairs.jsonl")


@dataclass
class Score:
    """Confusion counts of one half of the labelled set."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    review: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Merged pairs that are truly the same."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Truly same pairs that were merged."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_pairs(path: Path = PAIRS) -> list[dict]:
    """The labelled pairs."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def record(listing_id: str, fields: dict) -> Record:
    """A labelled listing as the warehouse would hand it to the matcher (contacts normalized)."""
    return Record(
        listing_id=listing_id, source=fields["source"], kind=fields["kind"], name=fields["name"],
        city=fields.get("city"), state=fields.get("state"), postal_code=fields.get("postal_code"),
        phone=e164(fields.get("phone")), website=clean_url(fields.get("website")),
        email=clean_email(fields.get("email")), service_area=tuple(fields.get("service_area", ())),
        slots=tuple(fields.get("slots", ())),
    )


def predict(pair: dict, limits: Thresholds) -> tuple[bool, bool]:
    """(merged, sent to review) for one labelled pair, by the real resolve."""
    a, b = record(f"{pair['id']}-a", pair["a"]), record(f"{pair['id']}-b", pair["b"])
    result = resolve([a, b], limits)
    review = any(p.verdict == "review" for p in result.pairs)
    return result.entity_of[a.listing_id] == result.entity_of[b.listing_id], review


def evaluate(pairs: list[dict], limits: Thresholds) -> dict[str, Score]:
    """Scores per part (`tune`, `holdout`, `fresh`) and for all pairs."""
    scores = {"tune": Score(), "holdout": Score(), "fresh": Score(), "all": Score()}
    for pair in pairs:
        merged, review = predict(pair, limits)
        same = pair["label"] == "same"
        for score in (scores[pair["split"]], scores["all"]):
            score.review += review
            if merged and same:
                score.tp += 1
            elif merged:
                score.fp += 1
            elif same:
                score.fn += 1
            else:
                score.tn += 1
            if merged != same and score is scores["all"]:
                verdict = "merged" if merged else "kept apart" + (" (review)" if review else "")
                score.wrong.append(f"#{pair['id']} ({pair['split']}) {pair['label']}, {verdict}: "
                                   f"{pair['case']}: {pair['a']['name']!r} / {pair['b']['name']!r}")
    return scores


def sweep(pairs: list[dict]) -> None:
    """Precision and recall on the `tune` half for a grid of merge and review thresholds."""
    tune = [p for p in pairs if p["split"] == "tune"]
    print("merge review precision recall review_pairs")
    for merge in (80, 85, 88, 90, 92, 95):
        for review in (60, 70, 75):
            s = evaluate(tune, replace(Thresholds(), merge=merge, review=review))["tune"]
            print(f"{merge:5} {review:6} {s.precision:9.3f} {s.recall:6.3f} {s.review:12}")


def main() -> None:
    """Print the thresholds, then precision and recall per part and overall."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="grid of thresholds on the tune half")
    args = parser.parse_args()
    pairs = load_pairs()
    if args.sweep:
        sweep(pairs)
        return
    limits = Thresholds()
    print(f"labelled pairs: {len(pairs)} ({sum(p['label'] == 'same' for p in pairs)} same) from {PAIRS.name}")
    print(f"thresholds: merge >= {limits.merge}, review >= {limits.review}, contact key needs name >= "
          f"{limits.key_floor}, place +{limits.place_bonus}/-{limits.place_penalty}")
    scores = evaluate(pairs, limits)
    print("part      pairs  precision  recall  tp  fp  fn  tn  review")
    for name, s in scores.items():
        total = s.tp + s.fp + s.fn + s.tn
        print(f"{name:8} {total:6} {s.precision:10.3f} {s.recall:7.3f} {s.tp:3} {s.fp:3} {s.fn:3} {s.tn:3} "
              f"{s.review:7}")
    for line in scores["all"].wrong:
        print("misjudged:", line)


if __name__ == "__main__":
    main()
