"""Query results -> networkx graphs, measures on them, and graph exports (GEXF, GraphML, CSV).

Graphs (see :data:`KINDS`; node ids are IRIs):

- ``person-org``: bipartite, persons and organizations; an edge is the holdings of a person in
  an organization (``posts``, ``start``/``end`` dates, ``weight`` = holdings read).
- ``person-event``: persons and the events they chaired or took part in.
- ``coattendance``: persons linked by the events they shared (``weight`` = shared events),
  from the ``coattendance`` named query.
- ``org-tree``: a directed graph parent -> child from the ``org_chart`` named query.
- ``ego``: the neighbourhood of one person (``person``, radius ``depth``) in the union of
  ``person-org`` and ``person-event``.
- ``full``: persons, organizations and events together (``person-org`` + ``person-event``
  + organizer links) — the graph to open in Gephi.

Attributes follow ``notes/views-analytics.md`` so that ``kg.views`` draws these graphs:
nodes have ``type`` (person, organization, event), ``label``, ``province``, ``kind`` (events),
``start``/``end`` (ISO dates, None = open), ``evidence`` (list of quote/file/doc/date dicts)
and ``details``; edges have ``relation``, ``weight``, ``start``/``end`` and ``evidence``.
A holding or event without its own date takes its article's date.

Filters, applied to the facts before the graph is built: ``province`` (of the article, the
organization or the person), ``organization`` (IRI, or part of the name, accents optional),
``since``/``until`` (inclusive dates; undated facts drop out), ``event_kind``, ``person``
(IRI or part of the name: keeps that person's facts).

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("p1", type="person", label="A", province="Hà Tĩnh")
>>> g.add_node("p2", type="person", label="B", province="Sơn La")
>>> g.add_node("p3", type="person", label="C", province="tỉnh Lào Cai")
>>> g.add_edges_from([("p1", "p2"), ("p1", "p3")])
>>> brokers(g, min_provinces=2)["label"].tolist()
['A']
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import networkx as nx

from kg import queries
from kg.errors import UsageError

#: Graph kinds :func:`build` makes.
KINDS = ("person-org", "person-event", "coattendance", "org-tree", "ego", "full")
#: Export formats of :func:`export`.
EXPORT_FORMATS = ("gexf", "graphml", "csv")
EVENT_KINDS = queries.EVENT_KINDS


# ----------------------------------------------------------------------------------------
# filters


@dataclass(frozen=True)
class Filters:
    """What to keep. Every field None keeps everything."""

    province: str | None = None
    organization: str | None = None
    since: str | None = None
    until: str | None = None
    event_kind: str | None = None
    person: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not queries._valid_date(str(value)):
                raise UsageError(f"{name} wants a date as YYYY-MM-DD (or YYYY-MM, YYYY)", source=str(value))
        if self.event_kind is not None and self.event_kind not in EVENT_KINDS:
            raise UsageError(f"unknown event kind {self.event_kind!r}; use one of {', '.join(EVENT_KINDS)}")

    def dated(self, date: str | None) -> bool:
        if self.since is None and self.until is None:
            return True
        if not date:
            return False
        if self.since is not None and date < self.since:
            return False
        return self.until is None or date[: len(self.until)] <= self.until

    def in_province(self, *provinces: str | None) -> bool:
        if self.province is None:
            return True
        key = _place(self.province)
        return any(p and _place(p) == key for p in provinces)

    def org_matches(self, iri: str | None, name: str | None) -> bool:
        if self.organization is None:
            return True
        return iri == self.organization or bool(name and _fold(self.organization) in _fold(name))

    def person_matches(self, iri: str | None, name: str | None) -> bool:
        if self.person is None:
            return True
        return iri == self.person or bool(name and _fold(self.person) in _fold(name))


# ----------------------------------------------------------------------------------------
# graphs


def build(store, kind: str, *, province: str | None = None, organization: str | None = None,
          since: str | None = None, until: str | None = None, event_kind: str | None = None,
          person: str | None = None, depth: int = 1) -> nx.Graph:
    """The graph ``kind`` (one of :data:`KINDS`) from ``store``, with the filters applied.

    Raises:
        UsageError: for an unknown kind or event kind, a malformed date, or an ``ego`` graph
            without a person, or whose person matches no one or several persons.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown graph {kind!r}; use one of {', '.join(KINDS)}")
    if depth < 1:
        raise UsageError("depth must be at least 1")
    f = Filters(province=province, organization=organization, since=since, until=until,
                event_kind=event_kind, person=None if kind == "ego" else person)
    if kind == "person-org":
        return person_org(store, f)
    if kind == "person-event":
        return person_event(store, f)
    if kind == "coattendance":
        return coattendance(store, f)
    if kind == "org-tree":
        return org_tree(store, f)
    if kind == "full":
        return full(store, f)
    if person is None:
        raise UsageError("an ego graph needs a person: give its name or IRI")
    whole = full(store, f)
    return nx.ego_graph(whole, find_person(whole, person), radius=depth)


def person_org(store, f: Filters = Filters()) -> nx.Graph:
    """Persons and organizations; an edge holds the posts a person held in an organization."""
    b = _Builder()
    for r in store.query(queries.load("net_holdings")).dicts():
        if r["org"] is None or not _keep_holding(f, r):
            continue
        b.node(r["person"], "person", r["pname"], province=r["pprov"] or r["dprov"])
        org = b.node(r["org"], "organization", r["oname"], province=r["oprov"])
        _evidence(org, r)
        e = b.edge(r["person"], r["org"], "holds")
        e["_posts"].add(f"{r['position']} ({r['status']}{', ' + r['date'] if r['date'] else ''})")
        if r["status"] in ("current", "starts"):
            e["_starts"].append(r["date"])
        else:
            e["_ends"].append(r["date"])
        _evidence(e, r)
    return b.finish()


def person_event(store, f: Filters = Filters()) -> nx.Graph:
    """Persons and events; an edge says the person chaired (``chair``) or took part in it."""
    b = _Builder()
    for event, e in _events(store, f).items():
        _event_node(b, event, e)
        for p, (name, prov, role) in e["people"].items():
            b.node(p, "person", name, province=prov or e["province"])
            edge = b.edge(p, event, role)
            edge["_starts"].append(e["date"])
            edge["evidence"].extend(x for x in e["evidence"] if x not in edge["evidence"])
    return b.finish()


def full(store, f: Filters = Filters()) -> nx.Graph:
    """``person-org`` and ``person-event`` together, with ``organizes`` edges from an
    organization to the events it organized."""
    g = nx.compose(person_org(store, f), person_event(store, f))
    events = _events(store, f)
    for event, e in events.items():
        if e["org"] and e["org"] in g:
            g.add_edge(e["org"], event, relation="organizes", weight=1, start=e["date"], end=None,
                       evidence=list(e["evidence"]), details={})
    return g


def coattendance(store, f: Filters = Filters()) -> nx.Graph:
    """Persons linked by the events they shared (the projection of ``person-event``):
    ``weight`` is the number of shared events, ``start`` the first of them."""
    b = _Builder()
    events = _events(store, f)
    pairs: dict[tuple[str, str], list] = defaultdict(list)
    for event, e in events.items():
        people = sorted(e["people"].items())
        for p, (name, prov, _) in people:
            b.node(p, "person", name, province=prov or e["province"])
        for i, (p, _) in enumerate(people):
            for q, _ in people[i + 1:]:
                pairs[(p, q)].append(event)
    for (p, q), shared in pairs.items():
        edge = b.edge(p, q, "co-attended")
        edge["weight"] = len(shared)
        for event in shared:
            edge["_starts"].append(events[event]["date"])
            edge["_posts"].add(_event_label(events[event]))
            edge["evidence"].extend(x for x in events[event]["evidence"] if x not in edge["evidence"])
    return b.finish()


def org_tree(store, f: Filters = Filters()) -> nx.DiGraph:
    """Sub-organization links as a directed graph, parent -> child (``org_chart`` query)."""
    g = nx.DiGraph()
    provinces: dict[str, str] = {}
    for r in store.query(queries.load("net_holdings")).dicts():
        if r["org"] and r["oprov"]:
            provinces.setdefault(r["org"], r["oprov"])
    for r in queries.run(store, "org_chart").dicts():
        if not (f.org_matches(r["child"], r["child_name"]) or f.org_matches(r["parent"], r["parent_name"])):
            continue
        if not f.in_province(provinces.get(r["child"]), provinces.get(r["parent"]),
                             _province_in(r["child_name"]), _province_in(r["parent_name"])):
            continue
        evidence = [{"quote": q, "file": r["files"], "doc": "", "date": ""} for q in r["quotes"].split(" | ")]
        for node, name in ((r["parent"], r["parent_name"]), (r["child"], r["child_name"])):
            if node not in g:
                g.add_node(node, type="organization", label=name, province=provinces.get(node),
                           start=None, end=None, evidence=[], details={"iri": node})
        g.add_edge(r["parent"], r["child"], relation="sub-organization", weight=r["sources"],
                   start=None, end=None, evidence=evidence, details={"files": r["files"]})
    return g


def find_person(graph: nx.Graph, person: str) -> str:
    """The node of the person ``person`` names: an IRI, a full name or part of one.

    Raises:
        UsageError: if no person or several persons match.
    """
    if person in graph:
        return person
    people = [(n, a.get("label", n)) for n, a in graph.nodes(data=True) if a.get("type") == "person"]
    key = _fold(person)
    found = [n for n, label in people if _fold(label) == key] or [n for n, label in people if key in _fold(label)]
    if not found:
        raise UsageError("no person with this name in the graph; check the spelling or give an IRI", source=person)
    if len(found) > 1:
        shown = "; ".join(str(graph.nodes[n].get("label", n)) for n in found[:4])
        raise UsageError(f"{len(found)} persons match ({shown}); give a fuller name or an IRI", source=person)
    return found[0]


# ----------------------------------------------------------------------------------------
# measures


def communities(graph: nx.Graph, *, seed: int = 0) -> list[set]:
    """Louvain communities (weighted by ``weight``), largest first; ``seed`` fixes the result."""
    if graph.number_of_nodes() == 0:
        return []
    undirected = graph.to_undirected() if graph.is_directed() else graph
    found = nx.community.louvain_communities(undirected, weight="weight", seed=seed)
    return sorted(found, key=lambda c: (-len(c), min(map(str, c))))


def measures(graph: nx.Graph, *, seed: int = 0):
    """One row per node: label, type, province, degree, weighted degree, betweenness,
    Louvain community (0 = largest) and the number of provinces among its neighbours;
    sorted by betweenness, then degree.

    Returns:
        pandas.DataFrame
    """
    import pandas as pd

    columns = ["node", "label", "type", "province", "degree", "weighted_degree", "betweenness",
               "community", "neighbour_provinces"]
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(columns=columns)
    undirected = graph.to_undirected() if graph.is_directed() else graph
    between = nx.betweenness_centrality(undirected)
    community_of = {n: i for i, c in enumerate(communities(graph, seed=seed)) for n in c}
    rows = []
    for n, a in graph.nodes(data=True):
        rows.append({
            "node": n, "label": a.get("label", n), "type": a.get("type"), "province": a.get("province"),
            "degree": undirected.degree(n), "weighted_degree": undirected.degree(n, weight="weight"),
            "betweenness": round(between[n], 6), "community": community_of.get(n),
            "neighbour_provinces": len(_neighbour_provinces(undirected, n)),
        })
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["betweenness", "degree", "label"], ascending=[False, False, True],
                             ignore_index=True)


def brokers(graph: nx.Graph, *, min_provinces: int = 2):
    """Persons whose neighbours (organizations, events or persons, by their ``province``)
    span at least ``min_provinces`` provinces, most provinces first.

    Returns:
        pandas.DataFrame with node, label, province, provinces (count) and the province names.
    """
    import pandas as pd

    undirected = graph.to_undirected() if graph.is_directed() else graph
    rows = []
    for n, a in undirected.nodes(data=True):
        if a.get("type") != "person":
            continue
        spanned = _neighbour_provinces(undirected, n)
        if len(spanned) >= min_provinces:
            rows.append({"node": n, "label": a.get("label", n), "province": a.get("province"),
                         "provinces": len(spanned), "province_names": ", ".join(sorted(spanned))})
    frame = pd.DataFrame(rows, columns=["node", "label", "province", "provinces", "province_names"])
    return frame.sort_values(["provinces", "label"], ascending=[False, True], ignore_index=True)


def _neighbour_provinces(graph: nx.Graph, node) -> set[str]:
    out = set()
    for m in graph.neighbors(node):
        prov = graph.nodes[m].get("province")
        if prov:
            out.add(_canonical_place(prov))
    return out


# ----------------------------------------------------------------------------------------
# exports


def exportable(graph: nx.Graph) -> nx.Graph:
    """A copy with scalar attributes only, as GEXF and GraphML want: no None values, dates
    completed to YYYY-MM-DD (``2024`` -> ``2024-01-01``), ``evidence`` as ``sources`` (count),
    ``quote`` (the first) and ``files``, ``details`` flattened into their own attributes."""
    g = graph.__class__()
    g.graph.update({"mode": "dynamic", "name": graph.graph.get("name", "kg")})
    for n, a in graph.nodes(data=True):
        g.add_node(str(n), **_flat(a))
    for u, v, a in graph.edges(data=True):
        g.add_edge(str(u), str(v), **_flat(a))
    return g


def export(graph: nx.Graph, fmt: str, out: str | Path | BinaryIO) -> list[Path]:
    """Write ``graph`` as ``gexf`` (dynamic: Gephi's timeline reads the start/end dates),
    ``graphml`` or ``csv``. For gexf/graphml ``out`` is a file path or a binary stream; for
    csv it is a folder that receives ``nodes.csv`` and ``edges.csv``.

    Returns:
        The paths written (empty for a stream).

    Raises:
        UsageError: for an unknown format, or csv without a folder path.
    """
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown graph format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    flat = exportable(graph)
    if fmt == "csv":
        if not isinstance(out, (str, Path)):
            raise UsageError("csv export writes nodes.csv and edges.csv: give a folder with --out")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        nodes, edges = tables(flat)
        paths = [folder / "nodes.csv", folder / "edges.csv"]
        nodes.to_csv(paths[0], index=False)
        edges.to_csv(paths[1], index=False)
        return paths
    writer = nx.write_gexf if fmt == "gexf" else nx.write_graphml
    writer(flat, out)
    return [Path(out)] if isinstance(out, (str, Path)) else []


def tables(graph: nx.Graph):
    """The graph's nodes and edges as two DataFrames (``id`` + attributes; ``source``,
    ``target`` + attributes), scalar attributes only."""
    import pandas as pd

    flat = graph if all(_is_scalar(v) for _, a in graph.nodes(data=True) for v in a.values()) else exportable(graph)
    nodes = pd.DataFrame([{"id": n, **a} for n, a in flat.nodes(data=True)])
    edges = pd.DataFrame([{"source": u, "target": v, **a} for u, v, a in flat.edges(data=True)])
    if nodes.empty:
        nodes = pd.DataFrame(columns=["id"])
    if edges.empty:
        edges = pd.DataFrame(columns=["source", "target"])
    return nodes, edges


def _is_scalar(value) -> bool:
    return isinstance(value, (str, int, float, bool))


def _flat(attrs: dict) -> dict:
    out: dict = {}
    for key, value in attrs.items():
        if value is None or key.startswith("_"):
            continue
        if key == "evidence":
            out["sources"] = len(value)
            if value:
                out["quote"] = value[0].get("quote", "")
                out["files"] = " | ".join(sorted({e.get("file", "") for e in value if e.get("file")}))
        elif key == "details":
            for k, v in value.items():
                if v not in (None, "") and k not in attrs:
                    out[str(k).replace(" ", "_")] = str(v)
        elif key in ("start", "end"):
            out[key] = _full_date(str(value))
        elif _is_scalar(value):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def _full_date(value: str) -> str:
    parts = value.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts)))


# ----------------------------------------------------------------------------------------
# building blocks


class _Builder:
    """Accumulates nodes and edges with merged names, evidence and validity dates."""

    def __init__(self):
        self.graph = nx.Graph()
        self.names: dict[str, Counter] = {}
        self.provinces: dict[str, Counter] = {}

    def node(self, key: str, type_: str, name: str | None, *, province: str | None = None) -> dict:
        if key not in self.graph:
            self.graph.add_node(key, type=type_, evidence=[], details={"iri": key})
            self.names[key], self.provinces[key] = Counter(), Counter()
        if name:
            self.names[key][name] += 1
        if province:
            self.provinces[key][province] += 1
        return self.graph.nodes[key]

    def edge(self, u: str, v: str, relation: str) -> dict:
        if not self.graph.has_edge(u, v):
            self.graph.add_edge(u, v, relation=relation, weight=0, evidence=[], details={},
                                _starts=[], _ends=[], _posts=set(), _relations=Counter())
        attrs = self.graph.edges[u, v]
        attrs["_relations"][relation] += 1
        return attrs

    def finish(self) -> nx.Graph:
        g = self.graph
        for n, names in self.names.items():
            g.nodes[n]["label"] = _best(names) or n.rsplit("/", 1)[-1]
            g.nodes[n]["province"] = _best(self.provinces[n])
        for _, _, a in g.edges(data=True):
            rel = a.pop("_relations")
            a["relation"] = " / ".join(r for r, _ in rel.most_common())
            a["weight"] = a["weight"] or sum(rel.values())
            a["start"], a["end"] = _interval(a.pop("_starts"), a.pop("_ends"))
            posts = sorted(a.pop("_posts"))
            if posts:
                a["details"]["posts" if a["relation"] == "holds" else "events"] = " | ".join(posts)
        for n, a in g.nodes(data=True):
            if "start" in a:
                continue
            starts = [g.edges[e]["start"] for e in g.edges(n)]
            ends = [g.edges[e]["end"] for e in g.edges(n)]
            a["start"] = None if (not starts or None in starts) else min(starts)
            a["end"] = None if (not ends or None in ends) else max(ends)
        return g


def _interval(starts: list, ends: list) -> tuple[str | None, str | None]:
    """Validity: from the first dated start (None when a start is undated or there is none
    but an end), until the last end when no start is as late (None: open)."""
    dated = [d for d in starts if d]
    start = min(dated) if dated and None not in starts else None
    end = None
    if ends and None not in ends:
        end = max(ends)
        if (dated and max(dated) >= end) or (start is not None and end <= start):
            end = None
    return start, end


def _keep_holding(f: Filters, r: dict) -> bool:
    return (f.in_province(r["dprov"], r["oprov"], r["pprov"]) and f.org_matches(r["org"], r["oname"])
            and f.dated(r["date"]) and f.person_matches(r["person"], r["pname"]))


def _evidence(attrs: dict, r: dict) -> None:
    item = {"quote": r["quote"], "file": r["file"] or "", "doc": r["doc"] or "", "date": r["date"] or ""}
    if r["quote"] and item not in attrs["evidence"]:
        attrs["evidence"].append(item)


def _events(store, f: Filters) -> dict[str, dict]:
    """Events kept by the filters: kind, label, date, organizer, province, evidence, people."""
    members: dict[tuple[str, str], set] = defaultdict(set)  # (doc, person) -> organizations
    if f.organization is not None:
        for r in store.query(queries.load("net_holdings")).dicts():
            if r["org"] and f.org_matches(r["org"], r["oname"]):
                members[(r["doc"], r["person"])].add(r["org"])
    events: dict[str, dict] = {}
    for r in store.query(queries.load("net_events")).dicts():
        if f.event_kind is not None and r["kind"] != f.event_kind:
            continue
        if not (f.in_province(r["dprov"]) and f.dated(r["date"])):
            continue
        e = events.setdefault(r["event"], {"kind": r["kind"], "label": r["label"], "date": r["date"],
                                           "org": r["org"], "organizer": r["oname"], "province": r["dprov"],
                                           "doc": r["doc"], "evidence": [], "people": {}})
        _evidence(e, r)
    for r in store.query(queries.load("net_event_people")).dicts():
        e = events.get(r["event"])
        if e is not None:
            old = e["people"].get(r["person"])
            role = "chair" if r["role"] == "chair" or (old and old[2] == "chair") else "participant"
            e["people"][r["person"]] = (r["pname"], r["pprov"], role)
    kept = {}
    for iri, e in events.items():
        if f.organization is not None and not (
                f.org_matches(e["org"], e["organizer"]) or any((e["doc"], p) in members for p in e["people"])):
            continue
        if f.person is not None and not any(f.person_matches(p, v[0]) for p, v in e["people"].items()):
            continue
        kept[iri] = e
    return kept


def _event_node(b: _Builder, iri: str, e: dict) -> None:
    attrs = b.node(iri, "event", _event_label(e), province=e["province"])
    attrs["kind"] = e["kind"]
    attrs["start"], attrs["end"] = e["date"], None
    attrs["evidence"] = list(e["evidence"])
    attrs["details"].update({k: v for k, v in (("date", e["date"]), ("organizer", e["organizer"]),
                                               ("kind", e["kind"])) if v})


def _event_label(e: dict) -> str:
    label = e["label"] or e["kind"].replace("_", " ")
    return f"{label} ({e['date']})" if e["date"] else label


def _best(names: Counter) -> str | None:
    if not names:
        return None
    return sorted(names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]


def _fold(text: str) -> str:
    """Lower case without accents (đ -> d), one space: for forgiving name matching."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().split())


def _place(name: str) -> str:
    from kg.ids import place_key

    return _fold(place_key(name) or "")


def _canonical_place(name: str) -> str:
    from kg.ids import place_key

    key = place_key(name) or name
    return key.title() if key == key.lower() else key


def _province_in(name: str | None) -> str | None:
    """The province an organization name ends with ("... tỉnh Hà Tĩnh" -> "Hà Tĩnh"), if any."""
    if not name:
        return None
    for marker in (" tỉnh ", " thành phố "):
        if marker in name:
            return name.rsplit(marker, 1)[1]
    return None


def write_measures_csv(frame, out: str | Path | io.TextIOBase) -> None:
    """Write a measures table as CSV (UTF-8)."""
    if isinstance(out, (str, Path)):
        frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
    else:
        frame.to_csv(out, index=False)
