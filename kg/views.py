"""Interactive network views: graphs from the store drawn as one self-contained HTML page.

Kinds (see :data:`KINDS`): ``person-org`` (who holds posts where), ``person-event`` (who took
part in what), ``coattendance`` (persons linked by the events they shared), ``ego`` (one
person's neighbourhood) and ``org-tree`` (provinces -> organizations -> sub-organizations).

The page is built on vis-network as shipped inside the pyvis package, inlined, so it loads
nothing from the network. Node colour and shape follow the node's type (with a legend), size
follows a measure (degree or betweenness), a search box finds nodes by name (accents
optional), a click shows the item's details and the source quotes it was read from, and a
time slider shows the network as of a date (a holding or an event without its own date takes
its article's date: a status holds "at the article's date"). Every piece of data enters the page as JSON in a
``<script type="application/json">`` element (``<``, ``>`` and ``&`` escaped) and is shown
with ``textContent``: names are never markup.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("p1", type="person", label="<b>A</b>")
>>> g.add_node("o1", type="organization", label="Sở Y tế")
>>> g.add_edge("p1", "o1", relation="holds", start="2024-01-02")
>>> page = render(g, "person-org")
>>> "<b>A</b>" in page, "\\\\u003cb\\\\u003eA" in page
(False, True)
"""

from __future__ import annotations

import html
import json
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
import networkx as nx

from kg.errors import UsageError

#: View kinds, in the order the CLI lists them.
KINDS = ("person-org", "person-event", "coattendance", "ego", "org-tree")
#: Measures a node's size can follow.
SIZE_MEASURES = ("degree", "betweenness")
#: Node types: (legend label, colour, vis-network shape).
NODE_STYLES: dict[str, tuple[str, str, str]] = {
    "person": ("Person", "#4e79a7", "dot"),
    "organization": ("Organization", "#f28e2b", "square"),
    "event": ("Event", "#59a14f", "diamond"),
    "province": ("Province", "#9c755f", "triangle"),
}
_DEFAULT_STYLE = ("Other", "#bab0ac", "dot")
_EVIDENCE_SHOWN = 12  # quotes per item carried into the page
_KG = "https://w3id.org/kg-vn/ontology#"


# ----------------------------------------------------------------------------------------
# public API


class HtmlPage(str):
    """The page's HTML; shown inline by Jupyter (an iframe whose ``srcdoc`` is the page)."""

    notes: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(str(self), quote=True)}" '
                'style="width:100%;height:680px;border:1px solid #ddd" '
                'sandbox="allow-scripts"></iframe>')


@dataclass
class View:
    """A graph ready to draw: vis-network nodes and edges, details per item, notes."""

    kind: str
    title: str
    nodes: list[dict]
    edges: list[dict]
    info: dict[str, dict]
    dates: list[str]
    options: dict
    notes: list[str] = field(default_factory=list)
    total_nodes: int = 0

    def html(self) -> HtmlPage:
        """The self-contained page."""
        page = HtmlPage(_page(self))
        page.notes = tuple(self.notes)
        return page

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return self.html()._repr_html_()


def render(store_or_graph, kind: str, *, out: str | Path | None = None, province: str | None = None,
           organization: str | None = None, since: str | None = None, until: str | None = None,
           event_kind: str | None = None, person: str | None = None, depth: int = 1,
           size_by: str = "degree", max_nodes: int = 3000) -> Path | HtmlPage:
    """Draw a view as a self-contained HTML page: written to ``out`` (returns the path) or
    returned as an :class:`HtmlPage` (a ``str`` that Jupyter shows inline).

    ``store_or_graph`` is a :class:`kg.store.Store`, a store folder, or a networkx graph whose
    nodes and edges carry the attributes listed in ``notes/views-analytics.md`` (filters then
    do not apply; filter the graph first). Filters: ``province`` (of the document or the
    organization), ``organization`` (IRI or part of the name), ``since``/``until`` (ISO
    dates, inclusive; undated facts drop out), ``event_kind`` (``congress``, ``meeting``, ...),
    ``person`` (IRI or part of the name; the centre of ``ego``, whose ``depth`` is the radius).
    Above ``max_nodes`` nodes, only the ones with the highest measure are kept and the page
    says so.

    Raises:
        UsageError: for an unknown kind, measure, event kind, a malformed date, an ego view
            without a person, or a person name that matches no one or several people.
        StoreError: if the store cannot be opened.
    """
    view = build(store_or_graph, kind, province=province, organization=organization, since=since,
                 until=until, event_kind=event_kind, person=person, depth=depth, size_by=size_by,
                 max_nodes=max_nodes)
    if out is not None:
        return view.save(out)
    return view.html()


def build(store_or_graph, kind: str, *, province: str | None = None, organization: str | None = None,
          since: str | None = None, until: str | None = None, event_kind: str | None = None,
          person: str | None = None, depth: int = 1, size_by: str = "degree",
          max_nodes: int = 3000) -> View:
    """The :class:`View` that :func:`render` draws (same arguments, no ``out``)."""
    if kind not in KINDS:
        raise UsageError(f"unknown view {kind!r}; use one of {', '.join(KINDS)}")
    if size_by not in SIZE_MEASURES:
        raise UsageError(f"unknown size measure {size_by!r}; use one of {', '.join(SIZE_MEASURES)}")
    if max_nodes < 1:
        raise UsageError("max_nodes must be at least 1")
    if depth < 1:
        raise UsageError("depth must be at least 1")
    for name, value in (("since", since), ("until", until)):
        if value is not None and not _is_date(value):
            raise UsageError(f"--{name} wants a date as YYYY-MM-DD (or YYYY-MM, YYYY)", source=value)
    if event_kind is not None:
        from kg.model import EVENT_KINDS

        if event_kind not in EVENT_KINDS:
            raise UsageError(f"unknown event kind {event_kind!r}; use one of {', '.join(EVENT_KINDS)}")
    notes: list[str] = []
    if isinstance(store_or_graph, nx.Graph):
        if any(v is not None for v in (province, organization, since, until, event_kind)):
            raise UsageError("filters apply when drawing from a store; filter the graph before passing it")
        graph = store_or_graph
        if kind == "ego":
            if person is None:
                raise UsageError("an ego view needs a person (name or IRI)")
            centre = _find_person(graph, person)
            graph = nx.ego_graph(graph, centre, radius=depth)
    else:
        filters = _Filters(province=province, organization=organization, since=since, until=until,
                           event_kind=event_kind, person=person)
        graph = _from_store(store_or_graph, kind, filters, depth=depth)
    if kind == "ego" and person is not None:
        centre = _find_person(graph, person) if graph.number_of_nodes() else None
    else:
        centre = None
    if graph.number_of_nodes() == 0:
        notes.append("Nothing matches these filters: the store has no such facts. "
                     "Widen the filters or ingest more articles.")
    return _to_view(graph, kind, size_by=size_by, max_nodes=max_nodes, notes=notes, centre=centre)


# ----------------------------------------------------------------------------------------
# graphs from the store (SPARQL -> networkx)


@dataclass(frozen=True)
class _Filters:
    province: str | None = None
    organization: str | None = None
    since: str | None = None
    until: str | None = None
    event_kind: str | None = None
    person: str | None = None

    def dated(self, date: str | None) -> bool:
        if self.since is None and self.until is None:
            return True
        if not date:
            return False
        if self.since is not None and date < self.since:
            return False
        return not (self.until is not None and date[: len(self.until)] > self.until)

    def in_province(self, *provinces: str | None) -> bool:
        return self.province is None or any(p and _fold(p) == _fold(self.province) for p in provinces)

    def org_matches(self, iri: str | None, name: str | None) -> bool:
        if self.organization is None:
            return True
        if iri and iri == self.organization:
            return True
        return bool(name) and _fold(self.organization) in _fold(name)


_Q_HOLDINGS = """
SELECT ?holding ?person ?pname ?org ?oname ?oprov ?position ?role ?status ?date ?quote ?file ?doc ?dprov
WHERE { GRAPH ?doc {
  ?holding a kg:Holding ; kg:person ?person ; kg:name ?position ; kg:status ?st ; kg:organization ?org .
  ?person kg:name ?pname .
  ?org kg:name ?oname .
  OPTIONAL { ?org kg:province ?oprov }
  OPTIONAL { ?holding kg:date ?hdate }
  OPTIONAL { ?doc kg:date ?ddate }
  BIND (COALESCE(?hdate, ?ddate) AS ?date)
  OPTIONAL { ?holding kg:role ?r . ?r kg:name ?role }
  OPTIONAL { ?holding kg:evidence ?ev . ?ev kg:quote ?quote }
  OPTIONAL { ?doc kg:fileName ?file }
  OPTIONAL { ?doc kg:province ?dprov }
  BIND (STRAFTER(STR(?st), "#") AS ?status)
} }"""

_Q_EVENTS = """
SELECT ?event ?cls ?label ?date ?org ?oname ?quote ?file ?doc ?dprov
WHERE { GRAPH ?doc {
  ?event a kg:Event ; a ?cls .
  FILTER (?cls != kg:Event)
  OPTIONAL { ?event kg:name ?label }
  OPTIONAL { ?event kg:date ?edate }
  OPTIONAL { ?doc kg:date ?ddate }
  BIND (COALESCE(?edate, ?ddate) AS ?date)
  OPTIONAL { ?event kg:organizer ?org . ?org kg:name ?oname }
  OPTIONAL { ?event kg:evidence ?ev . ?ev kg:quote ?quote }
  OPTIONAL { ?doc kg:fileName ?file }
  OPTIONAL { ?doc kg:province ?dprov }
} }"""

_Q_EVENT_PEOPLE = """
SELECT ?event ?person ?pname ?role
WHERE { GRAPH ?doc {
  { ?event kg:participant ?person BIND ("participant" AS ?role) }
  UNION { ?event kg:chair ?person BIND ("chair" AS ?role) }
  ?person kg:name ?pname .
} }"""

_Q_PERSONS = """
SELECT ?person ?name ?prov ?quote ?file ?doc ?date
WHERE { GRAPH ?doc {
  ?person a kg:Person ; kg:name ?name .
  OPTIONAL { ?person kg:province ?prov }
  OPTIONAL { ?person kg:evidence ?ev . ?ev kg:quote ?quote }
  OPTIONAL { ?doc kg:fileName ?file }
  OPTIONAL { ?doc kg:date ?date }
} }"""

_Q_ORGS = """
SELECT ?org ?name ?prov ?doc ?dprov
WHERE { GRAPH ?doc {
  ?org a kg:Organization ; kg:name ?name .
  OPTIONAL { ?org kg:province ?prov }
  OPTIONAL { ?doc kg:province ?dprov }
} }"""

_Q_SUBORGS = """
SELECT ?child ?parent ?quote ?file ?doc ?date ?dprov
WHERE { GRAPH ?doc {
  ?link a kg:SubOrganizationLink ; kg:child ?child ; kg:parent ?parent .
  OPTIONAL { ?link kg:evidence ?ev . ?ev kg:quote ?quote }
  OPTIONAL { ?doc kg:fileName ?file }
  OPTIONAL { ?doc kg:date ?date }
  OPTIONAL { ?doc kg:province ?dprov }
} }"""


class _Builder:
    """Accumulates nodes and edges with merged names, evidence and validity dates."""

    def __init__(self, *, directed: bool = False):
        self.graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
        self.names: dict[str, Counter] = {}

    def node(self, key: str, type_: str, name: str | None = None, **details) -> dict:
        if key not in self.graph:
            self.graph.add_node(key, type=type_, evidence=[], details={}, _starts=[], _ends=[])
            self.names[key] = Counter()
        attrs = self.graph.nodes[key]
        if name:
            self.names[key][name] += 1
        for key, value in details.items():
            if value not in (None, ""):
                attrs["details"].setdefault(key, str(value))
        return attrs

    def edge(self, u: str, v: str, relation: str, **details) -> dict:
        if not self.graph.has_edge(u, v):
            self.graph.add_edge(u, v, relation=relation, evidence=[], details={}, weight=0,
                                _starts=[], _ends=[], _relations=Counter())
        attrs = self.graph.edges[u, v]
        attrs["_relations"][relation] += 1
        for key, value in details.items():
            if value not in (None, ""):
                attrs["details"].setdefault(key, str(value))
        return attrs

    def finish(self) -> nx.Graph:
        g = self.graph
        for iri, names in self.names.items():
            g.nodes[iri]["label"] = _best_name(names) or iri.rsplit("/", 1)[-1]
        for _, _, a in g.edges(data=True):
            rel = a.pop("_relations")
            a["relation"] = " / ".join(r for r, _ in rel.most_common())
            a["weight"] = a["weight"] or sum(rel.values())
            a["start"], a["end"] = _interval(a.pop("_starts"), a.pop("_ends"))
        for n, a in g.nodes(data=True):
            own_s, own_e = a.pop("_starts"), a.pop("_ends")
            if own_s or own_e:
                a["start"], a["end"] = _interval(own_s, own_e)
            else:  # valid while any of its edges is
                inc = [g.edges[e] for e in (g.in_edges(n) if g.is_directed() else [])] + \
                      [g.edges[e] for e in g.edges(n)]
                starts = [e["start"] for e in inc]
                ends = [e["end"] for e in inc]
                a["start"] = None if (not starts or None in starts) else min(starts)
                a["end"] = None if (not ends or None in ends) else max(ends)
        return g


def _interval(starts: list[str | None], ends: list[str | None]) -> tuple[str | None, str | None]:
    """Validity of a merged item. ``starts``: one entry per statement that says the item
    holds from a date (None: holds, date unknown); ``ends``: dates it was said to be over.
    Open ends are None."""
    start = None if (not starts or None in starts) else min(starts)
    dated = [d for d in starts if d]
    end = None
    if ends and None not in ends:
        end = max(ends)
        if dated and max(dated) >= end:
            end = None
        if start is not None and end is not None and end <= start:
            end = None
    return start, end


def _evidence(attrs: dict, quote: str | None, file: str | None, doc: str | None, date: str | None) -> None:
    if not quote:
        return
    item = {"quote": quote, "file": file or "", "doc": doc or "", "date": date or ""}
    if item not in attrs["evidence"]:
        attrs["evidence"].append(item)


def _from_store(store_or_path, kind: str, f: _Filters, *, depth: int) -> nx.Graph:
    from kg.store import Store

    if isinstance(store_or_path, (str, Path)):
        with Store.open(store_or_path, read_only=True) as store:
            return _from_store(store, kind, f, depth=depth)
    store = store_or_path
    if kind == "person-org":
        return _person_org(store, f, restrict_person=True)
    if kind == "person-event":
        return _person_event(store, f, restrict_person=True)
    if kind == "coattendance":
        return _coattendance(store, f)
    if kind == "org-tree":
        return _org_tree(store, f)
    if f.person is None:
        raise UsageError("an ego view needs a person: give --person NAME (or an IRI)")
    a = _person_org(store, f, restrict_person=False)
    b = _person_event(store, f, restrict_person=False)
    both = _merge(a, b)
    centre = _find_person(both, f.person)
    return nx.ego_graph(both, centre, radius=depth)


def _merge(a: nx.Graph, b: nx.Graph) -> nx.Graph:
    g = nx.Graph()
    for part in (a, b):
        for n, attrs in part.nodes(data=True):
            if n in g:  # keep the first, add sources
                for ev in attrs.get("evidence", []):
                    if ev not in g.nodes[n]["evidence"]:
                        g.nodes[n]["evidence"].append(ev)
                s0, s1 = g.nodes[n].get("start"), attrs.get("start")
                g.nodes[n]["start"] = None if s0 is None or s1 is None else min(s0, s1)
                e0, e1 = g.nodes[n].get("end"), attrs.get("end")
                g.nodes[n]["end"] = None if e0 is None or e1 is None else max(e0, e1)
            else:
                g.add_node(n, **attrs)
        g.add_edges_from(part.edges(data=True))
    return g


def _person_matches(f: _Filters, iri: str, name: str) -> bool:
    return f.person is None or iri == f.person or _fold(f.person) in _fold(name)


def _add_person_info(b: _Builder, store) -> None:
    """Person mentions' quotes and provinces, for the persons already in the graph."""
    for r in store.query(_Q_PERSONS).dicts():
        if r["person"] in b.graph and b.graph.nodes[r["person"]]["type"] == "person":
            attrs = b.node(r["person"], "person", r["name"], province=r["prov"], iri=r["person"])
            _evidence(attrs, r["quote"], r["file"], r["doc"], r["date"])


def _person_org(store, f: _Filters, *, restrict_person: bool) -> nx.Graph:
    b = _Builder()
    for r in store.query(_Q_HOLDINGS).dicts():
        if not (f.in_province(r["dprov"], r["oprov"]) and f.org_matches(r["org"], r["oname"])
                and f.dated(r["date"])):
            continue
        if restrict_person and not _person_matches(f, r["person"], r["pname"]):
            continue
        b.node(r["person"], "person", r["pname"], iri=r["person"])
        org = b.node(r["org"], "organization", r["oname"], province=r["oprov"], iri=r["org"])
        _evidence(org, r["quote"], r["file"], r["doc"], r["date"])
        e = b.edge(r["person"], r["org"], "holds")
        e["details"].setdefault("posts", "")
        posts = [p for p in e["details"]["posts"].split(" | ") if p]
        label = f"{r['position']} ({r['status']}{', ' + r['date'] if r['date'] else ''})"
        if label not in posts:
            e["details"]["posts"] = " | ".join(posts + [label])
        if r["status"] in ("current", "starts"):
            e["_starts"].append(r["date"])
        else:
            e["_ends"].append(r["date"])
            if r["date"] is None:
                e["_starts"].append(None)
        _evidence(e, r["quote"], r["file"], r["doc"], r["date"])
    _add_person_info(b, store)
    return b.finish()


def _events(store, f: _Filters) -> dict[str, dict]:
    from kg.vocab import EVENT_KIND_OF

    events: dict[str, dict] = {}
    for r in store.query(_Q_EVENTS).dicts():
        kind = EVENT_KIND_OF.get(r["cls"], "other")
        if f.event_kind is not None and kind != f.event_kind:
            continue
        if not (f.in_province(r["dprov"]) and f.dated(r["date"]) and f.org_matches(r["org"], r["oname"])):
            continue
        e = events.setdefault(r["event"], {"kind": kind, "label": r["label"], "date": r["date"],
                                           "organizer": r["oname"], "province": r["dprov"], "evidence": [],
                                           "people": {}})
        _evidence(e, r["quote"], r["file"], r["doc"], r["date"])
    for r in store.query(_Q_EVENT_PEOPLE).dicts():
        e = events.get(r["event"])
        if e is not None:
            old = e["people"].get(r["person"])
            e["people"][r["person"]] = (r["pname"], "chair" if "chair" in (r["role"], old and old[1]) else r["role"])
    return events


def _event_label(e: dict) -> str:
    label = e["label"] or e["kind"].replace("_", " ")
    return f"{label} ({e['date']})" if e["date"] else label


def _person_event(store, f: _Filters, *, restrict_person: bool) -> nx.Graph:
    b = _Builder()
    for iri, e in _events(store, f).items():
        people = e["people"]
        if restrict_person and f.person is not None and not any(
                _person_matches(f, p, name) for p, (name, _) in people.items()):
            continue
        attrs = b.node(iri, "event", _event_label(e), kind=e["kind"].replace("_", " "), date=e["date"],
                       organizer=e["organizer"], province=e["province"], iri=iri)
        attrs["kind"] = e["kind"]
        attrs["evidence"] = list(e["evidence"])
        attrs["_starts"].append(e["date"])
        for p, (name, role) in people.items():
            b.node(p, "person", name, iri=p)
            edge = b.edge(p, iri, role)
            edge["_starts"].append(e["date"])
            for ev in e["evidence"]:
                _evidence(edge, ev["quote"], ev["file"], ev["doc"], ev["date"])
    _add_person_info(b, store)
    return b.finish()


def _coattendance(store, f: _Filters) -> nx.Graph:
    b = _Builder()
    events = _events(store, f)
    for iri, e in events.items():
        people = sorted(e["people"].items())
        if f.person is not None and not any(_person_matches(f, p, n) for p, (n, _) in people):
            continue
        for p, (name, _) in people:
            b.node(p, "person", name, iri=p)
        for i, (p, _) in enumerate(people):
            for q, _ in people[i + 1:]:
                edge = b.edge(p, q, "co-attended")
                edge["weight"] += 1
                edge["_starts"].append(e["date"])
                shared = [s for s in edge["details"].get("events", "").split(" | ") if s]
                edge["details"]["events"] = " | ".join(shared + [_event_label(e)])
                for ev in e["evidence"]:
                    _evidence(edge, ev["quote"], ev["file"], ev["doc"], ev["date"])
    _add_person_info(b, store)
    g = b.finish()
    if f.person is not None:  # the person and those who met them
        keep = {n for n, a in g.nodes(data=True) if _person_matches(f, n, a["label"])}
        keep |= {m for n in keep for m in g.neighbors(n)}
        g = g.subgraph(keep).copy()
    return g


def _org_tree(store, f: _Filters) -> nx.DiGraph:
    b = _Builder(directed=True)
    orgs: dict[str, dict] = {}
    for r in store.query(_Q_ORGS).dicts():
        o = orgs.setdefault(r["org"], {"names": Counter(), "prov": r["prov"], "dprov": set()})
        o["names"][r["name"]] += 1
        o["dprov"].add(r["dprov"])
        o["prov"] = o["prov"] or r["prov"]
    links = [r for r in store.query(_Q_SUBORGS).dicts() if f.dated(r["date"])]
    parent_of = {r["child"]: r["parent"] for r in links}
    # holdings give each organization its quotes and office holders
    holders: dict[str, list] = {}
    for r in store.query(_Q_HOLDINGS).dicts():
        if f.dated(r["date"]):
            holders.setdefault(r["org"], []).append(r)

    def keep(org: str) -> bool:
        o = orgs.get(org)
        if o is None:
            return False
        return f.in_province(o["prov"], *o["dprov"]) and f.org_matches(org, _best_name(o["names"]))

    chosen = {o for o in orgs if keep(o) and (f.dated(None) or o in holders or o in parent_of
                                              or o in parent_of.values())}
    # a matching organization brings its ancestors and descendants along
    changed = True
    while changed:
        changed = False
        for child, parent in parent_of.items():
            if child in chosen and parent not in chosen and parent in orgs:
                chosen.add(parent)
                changed = True
            if parent in chosen and child not in chosen and child in orgs and \
                    (f.organization is not None or keep(child)):
                chosen.add(child)
                changed = True
    for org in chosen:
        o = orgs[org]
        attrs = b.node(org, "organization", _best_name(o["names"]), province=o["prov"], iri=org)
        for n, name in enumerate(o["names"]):
            if n:
                attrs["details"].setdefault("also written", name)
        people = sorted({f"{r['pname']}: {r['position']} ({r['status']})" for r in holders.get(org, [])})
        if people:
            attrs["details"]["posts"] = " | ".join(people[:30]) + (" | ..." if len(people) > 30 else "")
        for r in holders.get(org, []):
            _evidence(attrs, r["quote"], r["file"], r["doc"], r["date"])
    for r in links:
        if r["child"] in chosen and r["parent"] in chosen:
            e = b.edge(r["parent"], r["child"], "sub-organization")
            e["_starts"].append(None)
            _evidence(e, r["quote"], r["file"], r["doc"], r["date"])
    for org in chosen:  # roots hang under their province
        if b.graph.in_degree(org) == 0 and orgs[org]["prov"]:
            prov = orgs[org]["prov"]
            piri = "province:" + prov
            b.node(piri, "province", prov)["_starts"].append(None)
            b.edge(piri, org, "in province")["_starts"].append(None)
    return b.finish()


def _find_person(graph: nx.Graph, person: str) -> str:
    """The node of the person ``person`` names (an IRI, or a name or part of one)."""
    if person in graph:
        return person
    people = [(n, a.get("label", n)) for n, a in graph.nodes(data=True) if a.get("type", "person") == "person"]
    key = _fold(person)
    exact = [n for n, label in people if _fold(label) == key]
    found = exact or [n for n, label in people if key in _fold(label)]
    if not found:
        raise UsageError("no person with this name in the graph; check the spelling or give an IRI", source=person)
    if len(found) > 1:
        shown = "; ".join(str(graph.nodes[n].get("label", n)) for n in found[:4])
        raise UsageError(f"{len(found)} persons match ({shown}{'; ...' if len(found) > 4 else ''}); "
                         "give a fuller name or an IRI", source=person)
    return found[0]


# ----------------------------------------------------------------------------------------
# graph -> view


def _to_view(graph: nx.Graph, kind: str, *, size_by: str, max_nodes: int, notes: list[str],
             centre: str | None) -> View:
    total = graph.number_of_nodes()
    measure = _measure(graph, size_by)
    if total > max_nodes:
        ranked = sorted(graph.nodes, key=lambda n: (-measure[n], str(n)))
        keep = set(ranked[:max_nodes])
        if centre is not None and centre not in keep:
            keep.discard(ranked[max_nodes - 1])
            keep.add(centre)
        graph = graph.subgraph(keep)
        notes.append(f"Showing the {max_nodes:,} nodes with the highest {size_by} of {total:,} "
                     f"(limit max_nodes={max_nodes:,}); narrow the view with a province, an "
                     "organization, a date range, an event kind or a person to see the rest.")
    max_edges = max(5 * max_nodes, 1000)
    edges = list(graph.edges(data=True))
    if len(edges) > max_edges:
        edges.sort(key=lambda e: (-float(e[2].get("weight") or 1), str(e[0]), str(e[1])))
        notes.append(f"Showing the {max_edges:,} strongest of {len(edges):,} links.")
        edges = edges[:max_edges]
    top = max((measure[n] for n in graph.nodes), default=0) or 1
    vis_nodes, vis_edges, info = [], [], {}
    dates: set[str] = set()
    types_seen: list[str] = []
    for n, a in sorted(graph.nodes(data=True), key=lambda x: str(x[0])):
        type_ = a.get("type", "other")
        if type_ not in types_seen:
            types_seen.append(type_)
        _, colour, shape = NODE_STYLES.get(type_, _DEFAULT_STYLE)
        label = str(a.get("label") or n)
        node = {"id": str(n), "label": _short(label), "title": f"{label} ({type_})", "shape": shape,
                "color": colour, "size": round(10 + 30 * math.sqrt(measure[n] / top), 1)}
        if kind == "org-tree":  # names inside boxes read better in a tree; the measure sets the type size
            node["shape"] = "box" if type_ == "organization" else shape
            node["font"] = {"size": round(12 + 8 * math.sqrt(measure[n] / top), 1)}
            node["widthConstraint"] = {"maximum": 260}
            if type_ == "organization":
                node["color"] = {"background": "#fbd6b0", "border": colour}
        if n == centre:
            node["borderWidth"] = 4
            node["color"] = {"background": colour, "border": "#e15759"}
        vis_nodes.append(node)
        info[str(n)] = _info(a, label, type_, extra={size_by: _num(measure[n]), "links": str(graph.degree(n))})
        dates.update(d for d in (a.get("start"), a.get("end")) if d)
    for i, (u, v, a) in enumerate(sorted(edges, key=lambda e: (str(e[0]), str(e[1])))):
        eid = f"e{i}"
        rel = str(a.get("relation") or "")
        weight = float(a.get("weight") or 1)
        edge = {"id": eid, "from": str(u), "to": str(v), "title": rel,
                "width": round(1 + min(weight - 1, 9) * 0.6, 1)}
        if graph.is_directed():
            edge["arrows"] = "to"
        vis_edges.append(edge)
        ul, vl = graph.nodes[u].get("label", u), graph.nodes[v].get("label", v)
        info[eid] = _info(a, f"{ul} — {vl}", rel or "link", extra={"weight": _num(weight)} if weight != 1 else {})
        dates.update(d for d in (a.get("start"), a.get("end")) if d)
    legend = [[NODE_STYLES.get(t, _DEFAULT_STYLE)[0], NODE_STYLES.get(t, _DEFAULT_STYLE)[1],
               NODE_STYLES.get(t, _DEFAULT_STYLE)[2]] for t in types_seen]
    title = {"person-org": "Persons and organizations", "person-event": "Persons and events",
             "coattendance": "Co-attendance", "ego": "Ego network", "org-tree": "Organization tree"}[kind]
    if centre is not None:
        title += f": {graph.nodes[centre].get('label', centre)}" if centre in graph else ""
    options = _options(kind, len(vis_nodes), len(vis_edges), directed=graph.is_directed())
    options["_legend"] = legend
    view = View(kind=kind, title=title, nodes=vis_nodes, edges=vis_edges, info=info, dates=sorted(dates),
                options=options, notes=notes, total_nodes=total)
    return view


def _measure(graph: nx.Graph, size_by: str) -> dict:
    if size_by == "betweenness" and graph.number_of_nodes() > 2:
        n = graph.number_of_nodes()
        k = None if n <= 500 else 200  # sampled above 500 nodes, seeded: same page every run
        return nx.betweenness_centrality(graph, k=k, seed=0 if k else None)
    return dict(graph.degree())


def _info(attrs: dict, label: str, type_: str, *, extra: dict) -> dict:
    details = [[k, str(v)] for k, v in (attrs.get("details") or {}).items() if k != "iri"]
    details += [[k, v] for k, v in extra.items()]
    if attrs.get("start") or attrs.get("end"):
        details.append(["valid", f"{attrs.get('start') or '…'} – {attrs.get('end') or '…'}"])
    iri = (attrs.get("details") or {}).get("iri")
    if iri:
        details.append(["IRI", iri])
    evidence = list(attrs.get("evidence") or [])
    out = {"label": label, "type": type_, "details": details,
           "evidence": [[e.get("quote", ""), e.get("file", ""), e.get("date", ""), e.get("doc", "")]
                        for e in evidence[:_EVIDENCE_SHOWN]],
           "more": max(0, len(evidence) - _EVIDENCE_SHOWN)}
    if attrs.get("start"):
        out["start"] = attrs["start"]
    if attrs.get("end"):
        out["end"] = attrs["end"]
    return out


def _options(kind: str, n_nodes: int, n_edges: int, *, directed: bool) -> dict:
    """vis-network options, starting from pyvis's defaults for the layout."""
    from pyvis.network import Network

    net = Network(directed=directed, layout=kind == "org-tree", cdn_resources="remote")
    if kind != "org-tree":
        net.force_atlas_2based(gravity=-60, spring_length=120)
    options = json.loads(net.options.to_json())
    options["physics"]["stabilization"].update({"iterations": 300 if n_nodes < 1000 else 120,
                                                "updateInterval": 100})
    if kind == "org-tree":
        # left to right: a forest of many small trees stacks down the page instead of a thin line
        options["layout"]["hierarchical"].update({"direction": "LR", "sortMethod": "directed",
                                                  "levelSeparation": 320, "nodeSpacing": 30,
                                                  "treeSpacing": 60})
        options["physics"]["enabled"] = False
    if n_edges > 2000:
        options["edges"]["smooth"] = False
    options["edges"]["color"] = {"color": "#b0b0b0", "highlight": "#e15759", "hover": "#e15759"}
    options["nodes"] = {"font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1,
                        "scaling": {"label": {"drawThreshold": 3}}}
    options["interaction"].update({"hover": True, "tooltipDelay": 150})
    return options


# ----------------------------------------------------------------------------------------
# the page


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS from the installed pyvis package (inlined, never fetched)."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib"
    folders = sorted(lib.glob("vis-*/vis-network.min.js"), reverse=True)
    if not folders:
        raise UsageError(f"vis-network is missing from the pyvis package ({lib}); reinstall pyvis")
    js = folders[0].read_text(encoding="utf-8")
    css = folders[0].with_name("vis-network.css").read_text(encoding="utf-8")
    # Nothing inside may close the element it is inlined in.
    js = js.replace("</script", "<\\/script").replace("<!--", "<\\!--")
    css = css.replace("</style", "<\\/style")
    return js, css


def _json_for_script(value) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _page(view: View) -> str:
    js, css = _vis_assets()
    data = {"title": view.title, "kind": view.kind, "nodes": view.nodes, "edges": view.edges,
            "info": view.info, "dates": view.dates, "options": {k: v for k, v in view.options.items()
                                                                  if not k.startswith("_")},
            "legend": view.options.get("_legend", []), "notes": view.notes, "total": view.total_nodes}
    return (_TEMPLATE.replace("@@TITLE@@", html.escape(view.title))
            .replace("@@VIS_CSS@@", css)
            .replace("@@VIS_JS@@", js)
            .replace("@@DATA@@", _json_for_script(data)))


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>@@TITLE@@</title>
<style>@@VIS_CSS@@</style>
<style>
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; color: #222; background: #fff; }
#kg-app { display: flex; flex-direction: column; height: 100%; }
#kg-bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 6px 10px; border-bottom: 1px solid #ddd; }
#kg-bar h1 { font-size: 16px; margin: 0 8px 0 0; }
#kg-notes { background: #fff4d6; padding: 4px 10px; border-bottom: 1px solid #e8d9a8; }
#kg-notes:empty { display: none; }
#kg-legend span.item { margin-right: 10px; white-space: nowrap; }
#kg-legend span.swatch { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; }
#kg-main { flex: 1; display: flex; min-height: 0; }
#kg-graph { flex: 1; min-width: 0; }
#kg-panel { width: 320px; overflow: auto; border-left: 1px solid #ddd; padding: 8px 12px; }
#kg-panel h2 { font-size: 15px; margin: 4px 0; word-break: break-word; }
#kg-panel dl { margin: 6px 0; } #kg-panel dt { font-weight: 600; } #kg-panel dd { margin: 0 0 4px 0; word-break: break-word; }
#kg-panel blockquote { margin: 6px 0 2px; padding-left: 8px; border-left: 3px solid #bbb; }
#kg-panel .cite { color: #666; font-size: 12px; margin-bottom: 6px; word-break: break-all; }
#kg-date { min-width: 12em; display: inline-block; }
</style>
</head>
<body>
<div id="kg-app">
  <div id="kg-bar">
    <h1 id="kg-title"></h1>
    <label>Search <input id="kg-search" type="search" placeholder="name…" autocomplete="off"></label>
    <span id="kg-search-result"></span>
    <label>As of <input id="kg-slider" type="range" min="0" max="0" step="1" value="0"></label>
    <span id="kg-date"></span>
    <span id="kg-count"></span>
    <span id="kg-legend"></span>
  </div>
  <div id="kg-notes"></div>
  <div id="kg-main">
    <div id="kg-graph"></div>
    <aside id="kg-panel"><p>Click a node or a link to see its details and sources.</p></aside>
  </div>
</div>
<script type="application/json" id="kg-data">@@DATA@@</script>
<script>@@VIS_JS@@</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  document.getElementById("kg-title").textContent = data.title;
  document.title = data.title;
  var notes = document.getElementById("kg-notes");
  data.notes.forEach(function (n) { notes.appendChild(el("div", n)); });
  var legend = document.getElementById("kg-legend");
  data.legend.forEach(function (l) {
    var item = el("span", null, "item"), sw = el("span", null, "swatch");
    sw.style.background = l[1];
    if (l[2] === "dot") sw.style.borderRadius = "50%";
    if (l[2] === "diamond") sw.style.transform = "rotate(45deg) scale(0.8)";
    if (l[2] === "triangle") { sw.style.clipPath = "polygon(50% 0, 100% 100%, 0 100%)"; }
    item.appendChild(sw); item.appendChild(el("span", l[0]));
    legend.appendChild(item);
  });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("kg-graph"), {nodes: nodes, edges: edges}, data.options);
  network.once("stabilizationIterationsDone", function () { network.setOptions({physics: {enabled: false}}); });

  // -- side panel: text only, never markup
  var panel = document.getElementById("kg-panel");
  function show(id) {
    var it = data.info[id];
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    if (!it) { panel.appendChild(el("p", "Click a node or a link to see its details and sources.")); return; }
    panel.appendChild(el("h2", it.label));
    panel.appendChild(el("div", it.type, "cite"));
    var dl = el("dl");
    it.details.forEach(function (kv) { dl.appendChild(el("dt", kv[0])); dl.appendChild(el("dd", kv[1])); });
    panel.appendChild(dl);
    if (it.evidence.length) {
      panel.appendChild(el("h3", "Sources"));
      it.evidence.forEach(function (ev) {
        panel.appendChild(el("blockquote", ev[0]));
        panel.appendChild(el("div", [ev[1], ev[2]].filter(Boolean).join(" · ") + (ev[3] ? " — " + ev[3] : ""), "cite"));
      });
      if (it.more) panel.appendChild(el("p", "… and " + it.more + " more sources."));
    }
  }
  network.on("click", function (p) {
    if (p.nodes.length) show(p.nodes[0]); else if (p.edges.length) show(p.edges[0]); else show(null);
  });

  // -- time slider: the network as of a date (last position: all dates)
  var slider = document.getElementById("kg-slider"), dateLabel = document.getElementById("kg-date");
  var count = document.getElementById("kg-count");
  var dates = data.dates;
  slider.max = String(dates.length);
  slider.value = String(dates.length);
  if (!dates.length) slider.disabled = true;
  function validAt(it, t) {
    if (t === null || !it) return true;
    if (it.start && it.start > t) return false;
    if (it.end && t >= it.end) return false;
    return true;
  }
  var visibleNodes = data.nodes.length;
  function setDate(index) {
    var t = index >= dates.length ? null : dates[index];
    var shown = {}, nu = [], eu = [], n = 0;
    data.nodes.forEach(function (nd) {
      var ok = validAt(data.info[nd.id], t);
      shown[nd.id] = ok; if (ok) n += 1;
      nu.push({id: nd.id, hidden: !ok});
    });
    data.edges.forEach(function (ed) {
      eu.push({id: ed.id, hidden: !(shown[ed.from] && shown[ed.to] && validAt(data.info[ed.id], t))});
    });
    nodes.update(nu); edges.update(eu);
    visibleNodes = n;
    dateLabel.textContent = t === null ? (dates.length ? "all dates" : "no dates") : t;
    count.textContent = n + " of " + data.nodes.length + " nodes" +
      (data.total > data.nodes.length ? " (" + data.total + " before the limit)" : "");
    count.setAttribute("data-visible", String(n));
  }
  slider.addEventListener("input", function () { setDate(parseInt(slider.value, 10)); });
  setDate(dates.length);

  // -- search: accents optional, Enter for the next match
  function fold(s) {
    return String(s).normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").replace(/\\u0111/g, "d")
      .replace(/\\u0110/g, "D").toLowerCase();
  }
  var search = document.getElementById("kg-search"), result = document.getElementById("kg-search-result");
  var matches = [], at = 0;
  function pick() {
    if (!matches.length) return;
    var id = matches[at % matches.length];
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
    show(id);
    result.textContent = (at % matches.length + 1) + " of " + matches.length + ": " + data.info[id].label;
  }
  function find(q) {
    var key = fold(q).trim();
    matches = !key ? [] : data.nodes.filter(function (nd) {
      return fold(data.info[nd.id].label).indexOf(key) >= 0;
    }).map(function (nd) { return nd.id; });
    at = 0;
    result.textContent = key ? (matches.length ? "" : "no match") : "";
    result.setAttribute("data-matches", String(matches.length));
    pick();
    return matches.slice();
  }
  search.addEventListener("input", function () { find(search.value); });
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") { at += 1; pick(); } });

  window.kgView = {network: network, nodes: nodes, edges: edges, find: find, setDate: setDate, show: show,
                   visibleNodeCount: function () { return visibleNodes; }, dates: dates};
})();
</script>
</body>
</html>
"""


# ----------------------------------------------------------------------------------------
# small helpers


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for matching names ("Lâm Đồng" ~ "lam dong")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def _best_name(names: Counter) -> str:
    if not names:
        return ""
    return max(names.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]


def _short(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


def _is_date(value: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value))
