"""Answers of two research queries, precomputed into one derived named graph.

``served_with`` (every pair who held posts in one organization at overlapping times) and
``people_by_province`` (every person per province) aggregate over every holding and person
of the store; computed at query time that costs seconds at a million triples. This step
computes their rows after the documents change and writes them into
:data:`kg.vocab.AGGREGATES_GRAPH`, which the two queries read:

- one ``kg:ServedWithPair`` per pair and organization: the persons (``kg:personA`` the one
  whose IRI sorts first), names, organization and its name, the shared span and each
  one's positions there;
- one ``kg:ProvincePerson`` per person and province: the province name (and its lower-case
  ``kg:provinceKey``), the person, its name and its numbers of posts, events and documents.

The rows are those the queries computed before (their .rq headers state the semantics):
the data is read with a few bulk SPARQL queries and grouped in Python with dicts. Only the
documents' graphs are read, so the result does not depend on kg.resolve. The graph is
replaced atomically (one transaction) by :func:`rebuild`, which kg.pipeline runs after
ingest and remove (beside resolution) and ``kg load`` after loading.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg import ids
from kg.errors import StoreError
from kg.vocab import AGGREGATES_GRAPH, KG, node

__all__ = ["aggregate_quads", "has_aggregates", "rebuild"]

_ROLES = f"""SELECT ?g ?e ?p WHERE {{ GRAPH ?g {{
  VALUES ?r {{ <{KG.chair}> <{KG.participant}> }} ?e ?r ?p }} }}"""
_NAMES = f"SELECT ?g ?s ?n WHERE {{ GRAPH ?g {{ ?s <{KG.name}> ?n }} }}"
_DATES = f"SELECT ?g ?s (STR(?d) AS ?date) WHERE {{ GRAPH ?g {{ ?s <{KG.date}> ?d }} }}"
_PROVINCES = f"SELECT ?g ?s (STR(?v) AS ?province) WHERE {{ GRAPH ?g {{ ?s <{KG.province}> ?v }} }}"
_PERSONS = f"SELECT ?g ?p WHERE {{ GRAPH ?g {{ ?p a <{KG.Person}> }} }}"
_HOLDINGS = f"""SELECT ?g ?h ?p ?o ?ap WHERE {{ GRAPH ?g {{
  ?h a <{KG.Holding}> ; <{KG.person}> ?p ; <{KG.organization}> ?o ; <{KG.name}> ?ap ; <{KG.status}> ?st .
  VALUES ?st {{ <{KG.current}> <{KG.starts}> }} }} }}"""
_POSTS = f"""SELECT ?g ?p ?post WHERE {{ GRAPH ?g {{
  ?h a <{KG.Holding}> ; <{KG.person}> ?p ; <{KG.post}> ?post }} }}"""


def rebuild(store) -> int:
    """Recompute the aggregates of ``store`` and replace its aggregates graph atomically;
    returns the number of quads deleted and inserted.

    The nodes' IRIs are hashes of their rows, so after a few documents change only a few
    rows do: the old graph is read and only the difference is written, in one SPARQL
    update (a whole rewrite of a large graph as one update costs far more).

    Raises:
        StoreError: if the store cannot be read or written.
    """
    quads = aggregate_quads(store)
    inner = getattr(store, "inner", None)  # the embedded store; a remote one is rewritten whole
    graph = ox.NamedNode(AGGREGATES_GRAPH)
    if not isinstance(inner, ox.Store) or not inner.contains_named_graph(graph):
        store.put_document(AGGREGATES_GRAPH, quads)
        return len(quads)
    old = {(q.subject, q.predicate, q.object) for q in inner.quads_for_pattern(None, None, None, graph)}
    new = {(q.subject, q.predicate, q.object) for q in quads}
    gone, added = old - new, new - old
    parts = [f"DELETE DATA {{ GRAPH {graph} {{\n" + "\n".join(f"{s} {p} {o} ." for s, p, o in gone) + "\n}}"
             if gone else "",
             f"INSERT DATA {{ GRAPH {graph} {{\n" + "\n".join(f"{s} {p} {o} ." for s, p, o in added) + "\n}}"
             if added else ""]
    update = " ;\n".join(p for p in parts if p)
    if update:
        try:
            inner.update(update)
        except OSError as e:
            raise StoreError(f"cannot write the aggregates: {e}", source=str(getattr(store, "path", ""))) from None
    return len(gone) + len(added)


def has_aggregates(store) -> bool:
    """True when the store holds an aggregates graph."""
    return bool(store.query(f"ASK {{ GRAPH <{AGGREGATES_GRAPH}> {{ ?s ?p ?o }} }}").rows[0][0])


def aggregate_quads(store) -> list[ox.Quad]:
    """The quads of the aggregates graph for the documents of ``store``."""
    names = _grouped(store, _NAMES)
    dates = _grouped(store, _DATES)
    provinces = _grouped(store, _PROVINCES)
    out: list[tuple] = []
    _served_with(store, names, dates, out)
    _people_by_province(store, names, provinces, out)
    graph = ox.NamedNode(AGGREGATES_GRAPH)
    return [ox.Quad(s, p, o, graph) for s, p, o in out]


def _grouped(store, sparql: str) -> dict[tuple[str, str], list[str]]:
    """``(graph, subject) -> values`` from a query of three columns."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for g, s, v in store.query(sparql).rows:
        out[(g, s)].append(v)
    return out


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _text(value: str) -> ox.Literal:
    return ox.Literal(value)


def _served_with(store, names, dates, out: list) -> None:
    spans: dict[tuple[str, str], dict] = {}
    for g, h, p, o, ap in store.query(_HOLDINGS).rows:
        pn, on = names.get((g, p)), names.get((g, o))
        ds = [d for d in (dates.get((g, h)) or dates.get((g, g)) or [""]) if d]
        if not (pn and on and ds):
            continue
        span = spans.get((p, o))
        if span is None:
            span = spans[(p, o)] = {"names": set(), "org_names": set(), "dates": set(), "positions": set()}
        span["names"].update(pn)
        span["org_names"].update(on)
        span["dates"].update(ds)
        span["positions"].add(ap)
    by_org: dict[str, list] = defaultdict(list)
    for (p, o), span in spans.items():
        by_org[o].append((p, min(span["names"]), min(span["org_names"]), min(span["dates"]), max(span["dates"]),
                          " | ".join(sorted(span["positions"]))))
    for o, members in by_org.items():
        members.sort(key=lambda m: m[3])  # by start: the overlaps of each are a prefix of the rest
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                if second[3] > first[4]:
                    break
                # the query's row: ?a before ?b, the organization's name from ?a's side
                (a, an, aon, af, at, ap), (b, bn, _, bf, bt, bp) = sorted((first, second))
                s = _iri(ids.fact_iri("served-with", a, b, o))
                out += [(s, node(RDF.type), node(KG.ServedWithPair)),
                        (s, node(KG.personA), _iri(a)), (s, node(KG.personB), _iri(b)),
                        (s, node(KG.nameA), _text(an)), (s, node(KG.nameB), _text(bn)),
                        (s, node(KG.servedIn), _iri(o)), (s, node(KG.organizationName), _text(aon)),
                        (s, node(KG.spanFrom), _text(max(af, bf))), (s, node(KG.spanTo), _text(min(at, bt))),
                        (s, node(KG.positionsA), _text(ap)), (s, node(KG.positionsB), _text(bp))]


def _people_by_province(store, names, provinces, out: list) -> None:
    posts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for g, p, post in store.query(_POSTS).rows:
        posts[(g, p)].add(post)
    events: dict[tuple[str, str], set[str]] = defaultdict(set)
    for g, e, p in store.query(_ROLES).rows:
        if isinstance(p, str):
            events[(g, p)].add(e)
    rows: dict[tuple[str, str], dict] = {}
    for g, p in store.query(_PERSONS).rows:
        ns = names.get((g, p))
        if not ns:
            continue
        for prov in set(provinces.get((g, p)) or provinces.get((g, g)) or [""]):
            row = rows.get((prov, p))
            if row is None:
                row = rows[(prov, p)] = {"names": set(), "posts": set(), "events": set(), "docs": set()}
            row["names"].update(ns)
            row["posts"] |= posts.get((g, p), set())
            row["events"] |= events.get((g, p), set())
            row["docs"].add(g)
    for (prov, p), row in rows.items():
        s = _iri(ids.fact_iri("province-person", prov, p))
        out += [(s, node(RDF.type), node(KG.ProvincePerson)),
                (s, node(KG.personA), _iri(p)), (s, node(KG.nameA), _text(min(row["names"]))),
                (s, node(KG.provinceName), _text(prov)),
                (s, node(KG.postCount), ox.Literal(len(row["posts"]))),
                (s, node(KG.eventCount), ox.Literal(len(row["events"]))),
                (s, node(KG.documentCount), ox.Literal(len(row["docs"])))]
        if prov:
            out.append((s, node(KG.provinceKey), _text(prov.lower())))
