"""Precomputed first rows of the listing queries, found by index lookups instead of a sort.

``coattendance``, ``served_with`` and ``people_by_province`` with no filter list every pair or
person (hundreds of thousands of rows at 10M triples), in an order no index gives: a query that
sorts them reads them all, which takes seconds whatever computed them. This module writes, into
the named graph :data:`kg.vocab.RANKINGS_GRAPH`:

- the rows of ``coattendance`` with no filter, and with each event kind as its only filter, for
  the :data:`COATTENDANCE_TOP` pairs with most shared events (one ``kg:CoattendancePair`` each:
  the two persons, their names, the number of shared events, the first and last date and the
  source files), computed from the documents' graphs with the query's semantics (its .rq header);
- one entry per row and listing: ``kg:rankOf`` the row's node (a coattendance pair, or
  a ``kg:ServedWithPair`` / ``kg:ProvincePerson`` of kg.aggregates), ``kg:rank`` its position
  (1, 2, ...) in the query's documented order, and ``kg:rankBucket`` the key
  ``"<query>|<group>|<k>"`` with ``k`` = the bit length of the rank (ranks 1, 2-3, 4-7, 8-15...);
  the group is empty for the listing of all rows, an event kind (``"meeting"``...) for the
  co-attendance pairs of that kind and a province key for people_by_province.

A query asked for its first ``limit`` rows looks up the buckets ``k`` with ``2**(k-1) <= limit``
(an index lookup of each ``kg:rankBucket`` value), so it reads fewer than ``2 * limit`` entries
and sorts only those, whatever the size of the store.

:func:`rebuild` runs after :func:`kg.aggregates.rebuild` (it ranks that graph's rows). The
rankings graph is written as the difference against what is stored, in transactions of at most
:data:`CHUNK` quads (a reader may see a partly rewritten ranking while it runs); memory grows
with the number of rows ranked (a tuple of a few strings per row) and of co-attendance pairs.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg import ids
from kg.errors import StoreError
from kg.vocab import AGGREGATES_GRAPH, EVENT_CLASSES, KG, RANKINGS_GRAPH, node

__all__ = ["COATTENDANCE_TOP", "CHUNK", "VERSION", "bucket", "current", "has_rankings", "rankings_quads", "rebuild"]

#: How many co-attendance pairs are precomputed (the most shared events first); the query
#: computes at query time when asked for more.
COATTENDANCE_TOP = 10_000
#: The version of the rankings written here (stated in the graph as ``kg:rankingsVersion``):
#: rankings of another version are not read (:func:`current`). 2: one ranking per event kind.
VERSION = 2
#: Most quads written or deleted in one transaction.
CHUNK = 50_000

_T = {name: node(getattr(KG, name)) for name in (
    "chair", "participant", "name", "date", "fileName", "organizationName", "spanFrom", "spanTo", "nameA", "nameB",
    "personA", "personB", "servedIn", "provinceName", "postCount", "CoattendancePair", "sharedEvents",
    "sourceFiles", "RankBucket", "rankingsVersion", "bucketQuery", "bucketGroup", "bucketLow", "inBucket", "rankOf", "rank")}
_TYPE = node(RDF.type)


def _pattern(store, s=None, p=None, o=None, g=None) -> Iterable[tuple[str, str, object, str]]:
    """The quads matching a pattern (``g`` None: any named graph) as (subject, predicate,
    object, graph) with the object's lexical form: an index scan on the embedded store, a
    SPARQL query on a remote one."""
    inner = getattr(store, "inner", None)
    if isinstance(inner, ox.Store):
        for q in inner.quads_for_pattern(s, p, o, g):
            if not isinstance(q.graph_name, ox.DefaultGraph):
                yield q.subject.value, q.predicate.value, q.object.value, q.graph_name.value
        return
    terms = dict(zip("spog", (s, p, o, g)))
    where = " ".join(str(t) if t is not None else f"?{v}" for v, t in terms.items() if v != "g")
    graph = str(g) if g is not None else "?g"
    for row in store.query(f"SELECT * WHERE {{ GRAPH {graph} {{ {where} }} }}").dicts():
        yield tuple(t.value if t is not None else str(row[v]) for v, t in terms.items())


def bucket(rank: int) -> int:
    """The bucket of a rank: its bit length (1 -> 1, 2-3 -> 2, 4-7 -> 3, ...).

    >>> [bucket(r) for r in (1, 2, 3, 4, 7, 8, 100)]
    [1, 2, 2, 3, 3, 4, 7]
    """
    return rank.bit_length()


def has_rankings(store) -> bool:
    """True when the store holds a rankings graph (current or marked out of date)."""
    return bool(store.query(f"ASK {{ GRAPH <{RANKINGS_GRAPH}> {{ ?s ?p ?o }} }}").rows[0][0])


def current(store) -> bool:
    """True when the rankings are there, of this :data:`VERSION`, and not marked out of date by
    a later ingest."""
    version = f"ASK {{ GRAPH <{RANKINGS_GRAPH}> {{ <{RANKINGS_GRAPH}> <{KG.rankingsVersion}> {VERSION} }} }}"
    return bool(store.query(version).rows[0][0]) and not store.is_pending(RANKINGS_GRAPH)


def rebuild(store) -> int:
    """Recompute the rankings of ``store`` (after kg.aggregates.rebuild) and write the
    difference; returns the number of quads deleted and inserted.

    Raises:
        StoreError: if the store cannot be read or written.
    """
    quads = rankings_quads(store)
    graph = ox.NamedNode(RANKINGS_GRAPH)
    inner = getattr(store, "inner", None)  # the embedded store; a remote one is rewritten whole
    if not isinstance(inner, ox.Store):
        store.put_document(RANKINGS_GRAPH, [ox.Quad(s, p, o, graph) for s, p, o in quads])
        return len(quads)
    new = {ox.Quad(s, p, o, graph) for s, p, o in quads}
    old = set(inner.quads_for_pattern(None, None, None, graph))
    gone, added = list(old - new), list(new - old)
    del old, new
    try:
        for i in range(0, len(gone), CHUNK):
            chunk = gone[i:i + CHUNK]
            inner.update("DELETE DATA { GRAPH " + str(graph) + " {\n"
                         + "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in chunk) + "\n} }")
        for i in range(0, len(added), CHUNK):
            inner.extend(added[i:i + CHUNK])
        # Without a flush, each read-only open replays the write-ahead log: a minute at 10M triples.
        inner.flush()
    except OSError as e:
        raise StoreError(f"cannot write the rankings: {e}", source=str(getattr(store, "path", ""))) from None
    return len(gone) + len(added)


def rankings_quads(store) -> list[tuple]:
    """The (subject, predicate, object) triples of the rankings graph for ``store``."""
    out: list[tuple] = [(ox.NamedNode(RANKINGS_GRAPH), _T["rankingsVersion"], ox.Literal(VERSION))]
    for group, pairs in _coattendance(store).items():
        _pair_triples(pairs, group, out)
        _rank("coattendance", [(_pair_iri(p, group), _pair_key(p), [group]) for p in pairs], out)
    served = _rows(store, ["organizationName", "spanFrom", "nameA", "nameB", "personA", "personB"],
                   kind="servedIn")
    _rank("served_with", [(s, tuple(v), [""]) for s, v in served], out)
    people = _rows(store, ["provinceName", "nameA", "personA"], kind="postCount")
    _rank("people_by_province", [(s, tuple(v), ["", v[0].lower()] if v[0] else [""]) for s, v in people], out)
    return out


def _rows(store, predicates: list[str], *, kind: str) -> list[tuple[str, list[str]]]:
    """The aggregates rows that have ``kind``, each with the values of ``predicates``."""
    graph = ox.NamedNode(AGGREGATES_GRAPH)
    values: dict[str, list] = {s: [None] * len(predicates) for s, _, _, _ in _pattern(store, p=_T[kind], g=graph)}
    for i, p in enumerate(predicates):
        for s, _, o, _ in _pattern(store, p=_T[p], g=graph):
            if s in values:
                values[s][i] = o
    return [(s, v) for s, v in values.items() if None not in v]


def _rank(query: str, rows: Iterable[tuple[str, tuple, list[str]]], out: list) -> None:
    """Rank entries of ``rows`` (node, sort key, groups) within each group, in key order."""
    groups: dict[str, list] = defaultdict(list)
    for s, key, gs in rows:
        for g in gs:
            groups[g].append((key, s))
    for g, members in groups.items():
        members.sort()
        base = ids.fact_iri("rank", query, g)
        buckets: dict[int, ox.NamedNode] = {}
        for rank, (_, s) in enumerate(members, 1):
            k = bucket(rank)
            b = buckets.get(k)
            if b is None:
                b = buckets[k] = ox.NamedNode(f"{base}/bucket/{k}")
                out += [(b, _TYPE, _T["RankBucket"]), (b, _T["bucketQuery"], ox.Literal(query)),
                        (b, _T["bucketGroup"], ox.Literal(g)), (b, _T["bucketLow"], ox.Literal(1 << (k - 1)))]
            e = ox.NamedNode(f"{base}/{rank}")
            out += [(e, _T["inBucket"], b), (e, _T["rank"], ox.Literal(rank)), (e, _T["rankOf"], ox.NamedNode(s))]


# -- coattendance ----------------------------------------------------------------------------


def _coattendance(store) -> dict[str, list[tuple]]:
    """The rows of ``coattendance`` with no filter (group ``""``) and with each event kind
    (group ``"meeting"``, ...), for the top pairs of each, in the query's order:
    group -> [(a, b, a_name, b_name, events, first, last, files)]."""
    events: dict[tuple[str, str], list[str]] = {}  # (graph, event) -> its dates
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)  # (graph, event) -> its kinds
    for kind, cls in EVENT_CLASSES.items():
        for e, _, _, g in _pattern(store, p=_TYPE, o=node(cls)):
            events[(g, e)] = []
            kinds[(g, e)].add(kind)
    people: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)  # (graph, event) -> person -> least name
    for role in (_T["chair"], _T["participant"]):
        for e, _, p, g in _pattern(store, p=role):
            if (g, e) in events:
                people[(g, e)].setdefault(p, None)
    docs: dict[str, tuple[list[str], list[str]]] = {}  # graph -> its file names, its dates
    for (g, e), names in people.items():
        for p in names:
            found = [o for _, _, o, _ in _pattern(store, ox.NamedNode(p), _T["name"], None, ox.NamedNode(g))]
            names[p] = min(found) if found else None
        for k, v in list(names.items()):
            if v is None:
                del names[k]  # a person without a name in the article is not paired
        events[(g, e)] = sorted({o for _, _, o, _ in _pattern(store, ox.NamedNode(e), _T["date"], None, ox.NamedNode(g))})
        if g not in docs:
            doc = ox.NamedNode(g)
            docs[g] = (sorted({o for _, _, o, _ in _pattern(store, doc, _T["fileName"], None, doc)}),
                       sorted({o for _, _, o, _ in _pattern(store, doc, _T["date"], None, doc)}))
    ordered = sorted(people.items(), key=lambda kv: kv[0][1])
    # one group at a time: only one group's pairs are in memory
    return {group: _top_pairs([(ge, names) for ge, names in ordered if not group or group in kinds[ge]], events, docs)
            for group in ("", *sorted({k for ks in kinds.values() for k in ks}))}


def _top_pairs(people: list, events: dict, docs: dict) -> list[tuple]:
    """The :data:`COATTENDANCE_TOP` pairs with most shared events among ``people`` ((graph,
    event) -> person -> least name, in event order)."""
    # per pair: [events, first, last, least a name, least b name, files, last event counted]
    pairs: dict[tuple[str, str], list] = {}
    for (g, e), names in people:
        files, doc_dates = docs.get(g, ([], []))
        dates = events[(g, e)] or doc_dates or [""]
        first, last = min(dates), max(dates)
        persons = sorted(names)
        for i, a in enumerate(persons):
            for b in persons[i + 1:]:
                row = pairs.get((a, b))
                if row is None:
                    pairs[(a, b)] = [1, first, last, names[a], names[b], set(files), e]
                    continue
                if row[6] != e:
                    row[0] += 1
                    row[6] = e
                row[1], row[2] = min(row[1], first), max(row[2], last)
                row[3], row[4] = min(row[3], names[a]), min(row[4], names[b])
                row[5].update(files)
    top = heapq.nsmallest(COATTENDANCE_TOP, pairs.items(), key=lambda kv: (-kv[1][0], kv[1][3], kv[1][4], kv[0]))
    return [(a, b, an, bn, n, first, last, " | ".join(sorted(files)))
            for (a, b), (n, first, last, an, bn, files, _) in top]


def _pair_iri(pair: tuple, group: str = "") -> str:
    return ids.fact_iri("coattendance", pair[0], pair[1], *([group] if group else []))


def _pair_key(pair: tuple) -> tuple:
    a, b, an, bn, n = pair[:5]
    return (-n, an, bn, a, b)


def _pair_triples(pairs: list[tuple], group: str, out: list) -> None:
    for a, b, an, bn, n, first, last, files in pairs:
        s = ox.NamedNode(_pair_iri((a, b), group))
        out += [(s, _TYPE, _T["CoattendancePair"]),
                (s, _T["personA"], ox.NamedNode(a)), (s, _T["personB"], ox.NamedNode(b)),
                (s, _T["nameA"], ox.Literal(an)), (s, _T["nameB"], ox.Literal(bn)),
                (s, _T["sharedEvents"], ox.Literal(n)), (s, _T["sourceFiles"], ox.Literal(files))]
        if first:
            out.append((s, _T["spanFrom"], ox.Literal(first)))
        if last:
            out.append((s, _T["spanTo"], ox.Literal(last)))
