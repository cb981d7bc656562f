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
documents' graphs are read, so the result does not depend on kg.resolve. :func:`rebuild`,
which kg.pipeline runs after ingest and remove (beside resolution) and ``kg load`` after
loading, computes the rows one organization / one person at a time by index lookups and
writes the difference against the stored rows in bounded transactions (:data:`BATCH_TRIPLES`),
so its memory does not grow with the store. Between the first and the last of them the
graph carries ``<graph> kg:updatePending true`` (kg.pipeline sets it before it writes
documents): a reader that finds it may see some rows old; a crash leaves it, and the next
ingest rebuilds the graph. :func:`aggregate_quads` is the same computation from a few bulk
reads, in memory (the reference the tests compare with).
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg import ids
from kg.errors import StoreError
from kg.vocab import AGGREGATES_GRAPH, KG, node

__all__ = ["aggregate_quads", "has_aggregates", "rebuild", "touched_by"]

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


#: Triples per write transaction of :func:`rebuild` on an embedded store.
BATCH_TRIPLES = 50_000


def touched_by(store, documents) -> tuple[set[str], set[str]] | None:
    """The persons and organizations of the given stored documents, whose rows a change of
    those documents can change (None on a SPARQL server). Read before a document is removed."""
    inner = getattr(store, "inner", None)
    if not isinstance(inner, ox.Store):
        return None
    persons, orgs = set(), set()
    for doc in documents:
        g = ox.NamedNode(doc)
        persons |= {q.subject.value for q in inner.quads_for_pattern(None, _T.type, _T.Person, g)}
        orgs |= {q.object.value for q in inner.quads_for_pattern(None, _T.organization, None, g)
                 if isinstance(q.object, ox.NamedNode)}
    return persons, orgs


def rebuild(store, *, batch: int = BATCH_TRIPLES, repair: bool | None = None,
            touched: tuple[set[str], set[str]] | None = None) -> int:
    """Recompute the aggregates of ``store`` and update its aggregates graph; returns the
    number of triples deleted and inserted.

    On an embedded store the rows are computed one organization (``served_with``) and one
    person (``people_by_province``) at a time by index lookups, and written in transactions
    of about ``batch`` triples, each holding only the difference against the stored triples
    of its nodes (the nodes' IRIs are hashes of their rows, so after a few documents change
    only a few rows do); nodes no longer computed are deleted last. The graph carries its
    ``kg:updatePending`` marker from the first write to the last, and is complete again
    when the marker is gone. A SPARQL server's graph is replaced whole in one request.

    ``repair``: the graph was left marked by an interrupted run (None: look for the marker);
    it is then cleared first. A graph written from nothing is written with the bulk loader
    (not transactional, several times faster).

    ``touched``: ``(persons, organizations)`` from :func:`touched_by` for the documents added
    or removed since the graph was last complete; then only their rows are recomputed (a
    ``served_with`` row depends on the holdings in its organization only, a
    ``people_by_province`` row on its person's documents only).

    Raises:
        StoreError: if the store cannot be read or written.
    """
    inner = getattr(store, "inner", None)  # the embedded store; a remote one is rewritten whole
    if not isinstance(inner, ox.Store):
        quads = aggregate_quads(store)
        store.put_document(AGGREGATES_GRAPH, quads)
        return len(quads)
    if repair is None:
        repair = store.is_pending(AGGREGATES_GRAPH)
    fresh = repair or not inner.contains_named_graph(_GRAPH)
    store.set_pending(AGGREGATES_GRAPH, True)
    if repair:
        store.clear_graph(AGGREGATES_GRAPH)
    if touched is not None and not fresh:
        changed = _rebuild_rows(store, inner, *touched, batch=batch)
        store.set_pending(AGGREGATES_GRAPH, False)
        return changed
    kept: set[str] = set()
    changed = 0
    pending: list[tuple] = []
    for rows in (_served_with_rows(inner), _province_person_rows(inner)):
        for triples in rows:
            kept.add(triples[0][0].value)
            pending += triples
            if len(pending) >= batch:
                changed += _write_difference(store, inner, pending, fresh=fresh)
                pending = []
    changed += _write_difference(store, inner, pending, fresh=fresh)
    stale = [q.subject for q in inner.quads_for_pattern(None, node(RDF.type), None, _GRAPH)
             if q.subject.value not in kept]
    for i in range(0, len(stale), max(1, batch // 12)):
        old = [(q.subject, q.predicate, q.object) for s in stale[i:i + max(1, batch // 12)]
               for q in inner.quads_for_pattern(s, None, None, _GRAPH)]
        _apply(store, inner, old, ())
        changed += len(old)
    store.set_pending(AGGREGATES_GRAPH, False)
    return changed


_GRAPH = ox.NamedNode(AGGREGATES_GRAPH)


def _rebuild_rows(store, inner: ox.Store, persons: set[str], orgs: set[str], *, batch: int) -> int:
    """Recompute the rows of these persons and organizations only; delete their rows that
    are no longer computed."""
    changed, kept, pending = 0, set(), []
    rows = (_served_with_rows(inner, sorted(orgs)),
            (t for p in sorted(persons) for t in _person_rows(inner, ox.NamedNode(p), [
                q.graph_name for q in inner.quads_for_pattern(ox.NamedNode(p), _T.type, _T.Person, None)
                if isinstance(q.graph_name, ox.NamedNode)])))
    for triples in (t for row in rows for t in row):
        kept.add(triples[0][0])
        pending += triples
        if len(pending) >= batch:
            changed += _write_difference(store, inner, pending)
            pending = []
    changed += _write_difference(store, inner, pending)
    old = {q.subject for o in orgs for q in inner.quads_for_pattern(None, node(KG.servedIn), ox.NamedNode(o), _GRAPH)}
    old |= {q.subject for p in persons for q in inner.quads_for_pattern(None, node(KG.personA), ox.NamedNode(p), _GRAPH)
            if next(inner.quads_for_pattern(q.subject, _T.type, node(KG.ProvincePerson), _GRAPH), None) is not None}
    stale = [(q.subject, q.predicate, q.object) for s in old - kept for q in inner.quads_for_pattern(s, None, None, _GRAPH)]
    _apply(store, inner, stale, ())
    return changed + len(stale)


def _write_difference(store, inner: ox.Store, triples: list[tuple], *, fresh: bool = False) -> int:
    """Make the stored triples of the subjects of ``triples`` equal to ``triples`` (one
    transaction; the bulk loader when the graph was ``fresh``, i.e. empty)."""
    new = set(triples)
    old = set() if fresh else {(q.subject, q.predicate, q.object) for s in {t[0] for t in new}
                               for q in inner.quads_for_pattern(s, None, None, _GRAPH)}
    gone, added = old - new, new - old
    _apply(store, inner, gone, added, bulk=fresh)
    return len(gone) + len(added)


def _apply(store, inner: ox.Store, delete, insert, *, bulk: bool = False) -> None:
    try:
        if bulk and not delete:
            inner.bulk_extend([ox.Quad(s, p, o, _GRAPH) for s, p, o in insert])
        elif delete:
            inner.update(" ;\n".join(
                f"{verb} DATA {{ GRAPH {_GRAPH} {{\n" + "\n".join(f"{s} {p} {o} ." for s, p, o in triples) + "\n} }"
                for verb, triples in (("DELETE", delete), ("INSERT", insert)) if triples))
        elif insert:
            inner.extend(ox.Quad(s, p, o, _GRAPH) for s, p, o in insert)
    except OSError as e:
        raise StoreError(f"cannot write the aggregates: {e}", source=str(getattr(store, "path", ""))) from None
    store.written(len(delete) + len(insert))


class _T:
    """The terms read and written here, as pyoxigraph nodes (built once)."""

    type, name, date, province, person, post = (node(RDF.type), node(KG.name), node(KG.date), node(KG.province),
                                                node(KG.person), node(KG.post))
    organization, status, chair, participant = node(KG.organization), node(KG.status), node(KG.chair), node(KG.participant)
    Holding, Person = node(KG.Holding), node(KG.Person)
    held = (node(KG.current), node(KG.starts))


def _values(inner: ox.Store, s, p, g) -> list[str]:
    """STR of the objects of ``s p ?o`` in graph ``g``."""
    return [q.object.value for q in inner.quads_for_pattern(s, p, None, g)]


def _served_with_rows(inner: ox.Store, orgs: list[str] | None = None):
    """The ``kg:ServedWithPair`` nodes (a list of triples each), one organization at a time
    (all, or ``orgs``): the rows of :func:`aggregate_quads`, by index lookups."""
    if orgs is None:
        orgs = sorted({q.object.value for q in inner.quads_for_pattern(None, _T.organization, None, None)
                       if isinstance(q.object, ox.NamedNode)})
    for o in orgs:
        org = ox.NamedNode(o)
        spans: dict[str, dict] = {}
        for q in inner.quads_for_pattern(None, _T.organization, org, None):
            h, g = q.subject, q.graph_name
            if not isinstance(g, ox.NamedNode) or next(inner.quads_for_pattern(h, _T.type, _T.Holding, g), None) is None:
                continue
            held = sum(1 for st in _T.held if next(inner.quads_for_pattern(h, _T.status, st, g), None) is not None)
            positions = _values(inner, h, _T.name, g)
            on = _values(inner, org, _T.name, g)
            ds = [d for d in (_values(inner, h, _T.date, g) or _values(inner, g, _T.date, g) or [""]) if d]
            if not (held and positions and on and ds):
                continue
            for pq in inner.quads_for_pattern(h, _T.person, None, g):
                p = pq.object
                pn = _values(inner, p, _T.name, g) if not isinstance(p, ox.Literal) else []
                if not pn:
                    continue
                span = spans.get(p.value)
                if span is None:
                    span = spans[p.value] = {"names": set(), "org_names": set(), "dates": set(), "positions": set()}
                span["names"].update(pn)
                span["org_names"].update(on)
                span["dates"].update(ds)
                span["positions"].update(positions)
        yield from _pairs(o, spans)


def _pairs(o: str, spans: dict[str, dict]):
    members = [(p, min(span["names"]), min(span["org_names"]), min(span["dates"]), max(span["dates"]),
                " | ".join(sorted(span["positions"]))) for p, span in spans.items()]
    members.sort(key=lambda m: m[3])  # by start: the overlaps of each are a prefix of the rest
    for i, first in enumerate(members):
        for second in members[i + 1:]:
            if second[3] > first[4]:
                break
            # the query's row: ?a before ?b, the organization's name from ?a's side
            (a, an, aon, af, at, ap), (b, bn, _, bf, bt, bp) = sorted((first, second))
            s = _iri(ids.fact_iri("served-with", a, b, o))
            yield [(s, node(RDF.type), node(KG.ServedWithPair)),
                   (s, node(KG.personA), _iri(a)), (s, node(KG.personB), _iri(b)),
                   (s, node(KG.nameA), _text(an)), (s, node(KG.nameB), _text(bn)),
                   (s, node(KG.servedIn), _iri(o)), (s, node(KG.organizationName), _text(aon)),
                   (s, node(KG.spanFrom), _text(max(af, bf))), (s, node(KG.spanTo), _text(min(at, bt))),
                   (s, node(KG.positionsA), _text(ap)), (s, node(KG.positionsB), _text(bp))]


def _province_person_rows(inner: ox.Store):
    """The ``kg:ProvincePerson`` nodes (a list of triples each), one person at a time: the
    rows of :func:`aggregate_quads`, by index lookups. The type index lists a person's
    graphs one after the other (it is ordered by subject)."""
    current, graphs = None, []
    for q in inner.quads_for_pattern(None, _T.type, _T.Person, None):
        if q.subject != current:
            if current is not None:
                yield from _person_rows(inner, current, graphs)
            current, graphs = q.subject, []
        if isinstance(q.graph_name, ox.NamedNode):
            graphs.append(q.graph_name)
    if current is not None:
        yield from _person_rows(inner, current, graphs)


def _person_rows(inner: ox.Store, p: ox.NamedNode, graphs: list):
    rows: dict[str, dict] = {}
    for g in graphs:
        ns = _values(inner, p, _T.name, g)
        if not ns:
            continue
        posts = {post for h in inner.quads_for_pattern(None, _T.person, p, g)
                 if next(inner.quads_for_pattern(h.subject, _T.type, _T.Holding, g), None) is not None
                 for post in _values(inner, h.subject, _T.post, g)}
        events = {q.subject.value for r in (_T.chair, _T.participant) for q in inner.quads_for_pattern(None, r, p, g)}
        for prov in set(_values(inner, p, _T.province, g) or _values(inner, g, _T.province, g) or [""]):
            row = rows.get(prov)
            if row is None:
                row = rows[prov] = {"names": set(), "posts": set(), "events": set(), "docs": set()}
            row["names"].update(ns)
            row["posts"] |= posts
            row["events"] |= events
            row["docs"].add(g.value)
    for prov, row in rows.items():
        yield _province_person(prov, p.value, row)


def _province_person(prov: str, p: str, row: dict) -> list[tuple]:
    s = _iri(ids.fact_iri("province-person", prov, p))
    out = [(s, node(RDF.type), node(KG.ProvincePerson)),
           (s, node(KG.personA), _iri(p)), (s, node(KG.nameA), _text(min(row["names"]))),
           (s, node(KG.provinceName), _text(prov)),
           (s, node(KG.postCount), ox.Literal(len(row["posts"]))),
           (s, node(KG.eventCount), ox.Literal(len(row["events"]))),
           (s, node(KG.documentCount), ox.Literal(len(row["docs"])))]
    if prov:
        out.append((s, node(KG.provinceKey), _text(prov.lower())))
    return out


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
    by_org: dict[str, dict[str, dict]] = defaultdict(dict)
    for (p, o), span in spans.items():
        by_org[o][p] = span
    for o, members in by_org.items():
        for triples in _pairs(o, members):
            out += triples


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
        out += _province_person(prov, p, row)
