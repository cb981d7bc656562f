"""Pairwise entity-resolution quality of a store against the labelled pairs of tests/er/.

    python benchmarks/er_pairs.py --store /tmp/er-store          # a store built from
                                                                  # ../shared/corpus/unlabeled
    python benchmarks/er_pairs.py --facts facts.jsonl             # a `kg export --format facts` file

``tests/er/pairs.jsonl`` holds pairs of documents of ../shared/corpus/unlabeled/articles.jsonl
that mention one name, each labelled by reading both articles: ``same`` (one person),
``different`` (namesakes) or ``undecidable`` (left out of the scores). A pair is predicted
*same* when the facts ``ids`` of both documents map the name to one IRI, which is how the
evaluation of cross-document identity scores a graph. Precision and recall are over the
``same`` class: a true positive is a pair labelled same and predicted same. Each pair carries
a ``half``: ``dev`` (looked at while changing the resolver) or ``heldout`` (only measured).
The line ``same name`` is the baseline that joins every pair of a name.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "er" / "pairs.jsonl"


@dataclass
class Score:
    """Pairwise counts over the decidable pairs of one half."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    missing: int = 0  # a document whose ids no longer hold the name (extraction changed)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, label: str, predicted_same: bool) -> None:
        if label == "same":
            if predicted_same:
                self.tp += 1
            else:
                self.fn += 1
        elif predicted_same:
            self.fp += 1
        else:
            self.tn += 1


def load_pairs(path: Path = PAIRS) -> list[dict]:
    """The labelled pairs, one dict per line."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _key(name: str) -> str:
    from kg import ids

    return ids.name_key(name)


def ids_of(records) -> dict[str, dict[str, str]]:
    """Document -> name key -> IRI, from facts records (dicts with ``doc`` and ``ids``)."""
    return {r["doc"]: {_key(n): iri for n, iri in (r.get("ids") or {}).items()} for r in records}


def score(ids_by_doc: dict[str, dict[str, str]], pairs: list[dict], *, half: str | None = None,
          baseline: bool = False) -> Score:
    """Pairwise counts of ``ids_by_doc`` on the decidable pairs (of one ``half`` if given).

    With ``baseline``, every pair is predicted same (one person per name).
    """
    out = Score()
    for p in pairs:
        if p["label"] == "undecidable" or (half and p["half"] != half):
            continue
        if baseline:
            out.add(p["label"], True)
            continue
        key = _key(p["name"])
        a, b = ids_by_doc.get(p["a"], {}).get(key), ids_by_doc.get(p["b"], {}).get(key)
        if a is None or b is None:
            out.missing += 1
            continue
        out.add(p["label"], a == b)
    return out


def errors(ids_by_doc: dict[str, dict[str, str]], pairs: list[dict], *, half: str | None = None) -> list[dict]:
    """The decidable pairs that ``ids_by_doc`` gets wrong, with what it predicted."""
    out = []
    for p in pairs:
        if p["label"] == "undecidable" or (half and p["half"] != half):
            continue
        key = _key(p["name"])
        a, b = ids_by_doc.get(p["a"], {}).get(key), ids_by_doc.get(p["b"], {}).get(key)
        if a is not None and b is not None and (a == b) != (p["label"] == "same"):
            out.append({**p, "predicted": "same" if a == b else "different"})
    return out


#: The share of same-person pairs in the evaluation's sample of namesake-rich names: "same
#: name = same person" scores F1 0.63 there, and F1 = 2s / (1 + s) for that baseline.
EVAL_SAME_SHARE = 0.63 / (2 - 0.63)


def reweighted(s: Score, same_share: float = EVAL_SAME_SHARE) -> tuple[float, float, float]:
    """(precision, recall, F1) if same-person pairs made up ``same_share`` of all pairs, as
    they do in a namesake-rich sample; recall and the false-join rate are kept as measured."""
    false_rate = s.fp / (s.fp + s.tn) if s.fp + s.tn else 0.0
    joined = same_share * s.recall
    precision = joined / (joined + (1 - same_share) * false_rate) if joined else 0.0
    f1 = 2 * precision * s.recall / (precision + s.recall) if precision + s.recall else 0.0
    return precision, s.recall, f1


def table(ids_by_doc: dict[str, dict[str, str]], pairs: list[dict]) -> str:
    """A Markdown table: P/R/F1 per half, then the same-name baseline; the last column gives
    the F1 reweighted to the evaluation's share of namesake pairs (:func:`reweighted`)."""
    rows = ["| half | pairs (same/different) | precision | recall | F1 | F1 reweighted |",
            "| --- | --- | --- | --- | --- | --- |"]
    for label, baseline in (("resolver", False), ("same name", True)):
        for half in ("dev", "heldout", None):
            s = score(ids_by_doc, pairs, half=half, baseline=baseline)
            n = f"{s.tp + s.fn + s.fp + s.tn} ({s.tp + s.fn}/{s.fp + s.tn})"
            if s.missing:
                n += f", {s.missing} missing"
            rows.append(f"| {label}: {half or 'all'} | {n} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} "
                        f"| {reweighted(s)[2]:.3f} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--store", help="a kg store folder built from ../shared/corpus/unlabeled")
    source.add_argument("--facts", help="a facts JSON Lines file (kg export --format facts)")
    parser.add_argument("--pairs", default=str(PAIRS), help="labelled pairs (default: tests/er/pairs.jsonl)")
    parser.add_argument("--errors", choices=("dev", "heldout", "all"), help="also list the wrong pairs of a half")
    args = parser.parse_args(argv)
    pairs = load_pairs(Path(args.pairs))
    if args.store:
        from kg.export import facts_records
        from kg.store import Store

        with Store.open(args.store, read_only=True) as store:
            ids_by_doc = ids_of(facts_records(store))
    else:
        with open(args.facts, encoding="utf-8") as fh:
            ids_by_doc = ids_of(json.loads(line) for line in fh if line.strip())
    print(table(ids_by_doc, pairs))
    if args.errors:
        for e in errors(ids_by_doc, pairs, half=None if args.errors == "all" else args.errors):
            print(f"- {e['name']} {e['a']}/{e['b']}: labelled {e['label']}, predicted {e['predicted']} ({e['reason']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
