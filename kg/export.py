"""Exports computed from the store: the facts JSON Lines of ../shared/eval/FORMAT.md, and RDF.

Every value comes from SPARQL over the store (kg/queries/doc_*.rq); nothing bypasses the graph.
Lists follow the text: items are ordered by the start of their evidence, then by name.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import BinaryIO, TextIO

from kg import queries
from kg.store import Store
from kg.vocab import COUNT_KIND_OF, EVENT_KIND_OF, STATUS_OF


def export(store: Store, fmt: str, out: BinaryIO) -> None:
    """Write the whole store as ``turtle``, ``trig``, ``nquads`` or ``jsonld`` (see Store.serialize)."""
    store.serialize(fmt, out)


def export_facts(store: Store, out: TextIO, *, doc: str | None = None) -> int:
    """Write one FORMAT.md JSON line per document (or only for the document IRI ``doc``).

    Returns the number of lines written.
    """
    records = facts_records(store, doc=doc)
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)


def facts_records(store: Store, *, doc: str | None = None) -> list[dict]:
    """The facts of every document (or of the document IRI ``doc``), as FORMAT.md dicts."""
    names = _person_names(store, doc)
    entity = {(r["doc"], r["person"]): r["entity"] for r in _rows(store, "doc_entities", doc)}
    positions = _positions(store, doc, names)
    events = _events(store, doc, names)
    counts = _grouped(store, "doc_counts", doc, lambda r: (r["start"], r["org"], r["kind"], r["value"]), lambda r: {
        "org": r["org"], "what": COUNT_KIND_OF[r["kind"]], "value": r["value"], "date": r["date"]})
    suborgs = _grouped(store, "doc_suborgs", doc, lambda r: (r["start"], r["child"], r["parent"]), lambda r: {
        "child": r["child"], "parent": r["parent"]})
    records = []
    for d in _rows(store, "documents", doc):
        iri = d["doc"]
        persons = sorted(names["persons"][iri], key=lambda p: (p[0], p[1]))
        records.append({
            "doc": d["file"],
            "province": d["province"],
            "date": d["date"],
            "persons": [name for _, name, _ in persons],
            "positions": positions[iri],
            "events": events[iri],
            "counts": counts[iri],
            "suborgs": suborgs[iri],
            # The person each name resolved to across documents (kg.resolve); the
            # document-level IRI when the store has not been resolved.
            "ids": {name: entity.get((iri, person), person) for _, name, person in persons},
        })
    return records


def _rows(store: Store, name: str, doc: str | None) -> list[dict]:
    return store.query(queries.load(name), {"doc": doc} if doc else None).dicts()


_LAST = float("inf")


def _person_names(store: Store, doc: str | None) -> dict:
    """Per document: [(first offset, name, IRI)] and {IRI: name} (the smallest of its spellings)."""
    persons: dict[str, list] = defaultdict(list)
    name_of: dict[tuple[str, str], str] = {}
    for r in _rows(store, "doc_persons", doc):
        start = r["start"] if r["start"] is not None else _LAST
        persons[r["doc"]].append((start, r["name"], r["person"]))
        key = (r["doc"], r["person"])
        name_of[key] = min(name_of.get(key, r["name"]), r["name"])
    return {"persons": persons, "name_of": name_of}


def _positions(store: Store, doc: str | None, names: dict) -> dict[str, list]:
    best: dict[tuple[str, str], tuple] = {}
    for r in _rows(store, "doc_positions", doc):
        key = (r["doc"], r["holding"])
        item = (r["start"], r["end"], names["name_of"][(r["doc"], r["person"])], r["position"],
                STATUS_OF[r["status"]])
        best[key] = min(best.get(key, item), item)
    out: dict[str, list] = defaultdict(list)
    for (iri, _), (_, _, person, position, status) in sorted(best.items(), key=lambda kv: (kv[0][0], kv[1])):
        out[iri].append({"person": person, "position": position, "status": status})
    return out


def _events(store: Store, doc: str | None, names: dict) -> dict[str, list]:
    roles: dict[tuple[str, str], dict[str, set]] = defaultdict(lambda: {"chair": set(), "participant": set()})
    for r in _rows(store, "doc_event_roles", doc):
        roles[(r["doc"], r["event"])][r["role"]].add(names["name_of"][(r["doc"], r["person"])])
    best: dict[tuple[str, str], tuple] = {}
    for r in _rows(store, "doc_events", doc):
        kind = EVENT_KIND_OF.get(r["class"])
        if kind is None:
            continue
        key = (r["doc"], r["event"])
        item = (r["start"], r["end"], kind, r["date"] or "", r["organizer"] or "", r["term"] or "",
                r["size"] if r["size"] is not None else -1, r["delegates"] if r["delegates"] is not None else -1)
        best[key] = min(best.get(key, item), item)
    out: dict[str, list] = defaultdict(list)
    for (iri, event), item in sorted(best.items(), key=lambda kv: (kv[0][0], kv[1], kv[0][1])):
        _, _, kind, date, organizer, term, size, delegates = item
        who = roles[(iri, event)]
        out[iri].append({
            "kind": kind,
            "date": date or None,
            "organizer": organizer or None,
            "chair": sorted(who["chair"]),
            "participants": sorted(who["participant"]),
            "term": term or None,
            "committee_size": size if size >= 0 else None,
            "delegates": delegates if delegates >= 0 else None,
        })
    return out


def _grouped(store: Store, name: str, doc: str | None, order, make) -> dict[str, list]:
    """Rows of a per-document query -> {doc: [made items]} ordered by ``order``, duplicates dropped."""
    by_doc: dict[str, dict] = defaultdict(dict)
    for r in _rows(store, name, doc):
        item = make(r)
        by_doc[r["doc"]].setdefault(json.dumps(item, ensure_ascii=False, sort_keys=True), (order(r), item))
    out: dict[str, list] = defaultdict(list)
    for iri, items in by_doc.items():
        out[iri] = [item for _, item in sorted(items.values(), key=lambda x: x[0])]
    return out
