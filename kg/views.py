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
    """The :class:`View` that :func:`render` draws (same arguments, no ``out``). Graphs come
    from :func:`kg.analytics.build`."""
    from kg import analytics

    if kind not in KINDS:
        raise UsageError(f"unknown view {kind!r}; use one of {', '.join(KINDS)}")
    if size_by not in SIZE_MEASURES:
        raise UsageError(f"unknown size measure {size_by!r}; use one of {', '.join(SIZE_MEASURES)}")
    if max_nodes < 1:
        raise UsageError("max_nodes must be at least 1")
    if depth < 1:
        raise UsageError("depth must be at least 1")
    if kind == "ego" and person is None:
        raise UsageError("an ego view needs a person: give --person NAME (or an IRI)")
    notes: list[str] = []
    if isinstance(store_or_graph, nx.Graph):
        if any(v is not None for v in (province, organization, since, until, event_kind)):
            raise UsageError("filters apply when drawing from a store; filter the graph before passing it")
        graph = store_or_graph
        if kind == "ego":
            graph = nx.ego_graph(graph, analytics.find_person(graph, person), radius=depth)
    elif isinstance(store_or_graph, (str, Path)):
        from kg.store import Store

        with Store.open(store_or_graph, read_only=True) as store:
            return build(store, kind, province=province, organization=organization, since=since,
                         until=until, event_kind=event_kind, person=person, depth=depth,
                         size_by=size_by, max_nodes=max_nodes)
    else:
        graph = analytics.build(store_or_graph, kind, province=province, organization=organization,
                                since=since, until=until, event_kind=event_kind, person=person, depth=depth)
    centre = analytics.find_person(graph, person) if kind == "ego" and graph.number_of_nodes() else None
    if kind == "org-tree":
        graph = _with_province_roots(graph)
    if graph.number_of_nodes() == 0:
        notes.append("Nothing matches these filters: the store has no such facts. "
                     "Widen the filters or ingest more articles.")
    return _to_view(graph, kind, size_by=size_by, max_nodes=max_nodes, notes=notes, centre=centre)


def _with_province_roots(tree: nx.DiGraph) -> nx.DiGraph:
    """The organization tree with each root organization under its province (a new root)."""
    g = tree.copy()
    for org in list(tree.nodes):
        prov = tree.nodes[org].get("province") or _province_in_name(str(tree.nodes[org].get("label", "")))
        if tree.in_degree(org) == 0 and prov:
            root = "province:" + prov
            g.add_node(root, type="province", label=prov, start=None, end=None, evidence=[], details={})
            g.add_edge(root, org, relation="in province", weight=1, start=None, end=None, evidence=[])
    return g


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
            node["label"] = _short(label, 120)  # boxes wrap long names
            node["font"] = {"size": round(12 + 8 * math.sqrt(measure[n] / top), 1)}
            node["widthConstraint"] = {"maximum": 260}
            if type_ == "organization":
                node["color"] = {"background": "#fbd6b0", "border": colour}
            else:
                node["size"] = min(node["size"], 18)
        if n == centre:
            node["borderWidth"] = 4
            node["color"] = {"background": colour, "border": "#e15759"}
        vis_nodes.append(node)
        if not a.get("evidence"):  # a node's sources: those of the facts it takes part in
            a = {**a, "evidence": _incident_evidence(graph, n)}
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


def _incident_evidence(graph: nx.Graph, node) -> list[dict]:
    seen: list[dict] = []
    edges = list(graph.in_edges(node, data=True)) if graph.is_directed() else []
    for _, _, a in edges + list(graph.edges(node, data=True)):
        for ev in a.get("evidence") or []:
            if ev not in seen:
                seen.append(ev)
    return seen


def _measure(graph: nx.Graph, size_by: str) -> dict:
    if size_by == "betweenness" and graph.number_of_nodes() > 2:
        n = graph.number_of_nodes()
        k = None if n <= 500 else 200  # sampled above 500 nodes, seeded: same page every run
        return nx.betweenness_centrality(graph, k=k, seed=0 if k else None)
    return dict(graph.degree())


def _info(attrs: dict, label: str, type_: str, *, extra: dict) -> dict:
    details = [[k, str(v)] for k, v in (attrs.get("details") or {}).items() if k != "iri" and v not in (None, "")]
    for key in ("province", "kind"):
        if attrs.get(key) and key not in (attrs.get("details") or {}):
            details.insert(0, [key, str(attrs[key]).replace("_", " ")])
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
                                                  "levelSeparation": 320, "nodeSpacing": 45,
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


def _province_in_name(name: str) -> str | None:
    """The province an organization's name ends with ("... tỉnh Hòa Bình" -> "Hòa Bình")."""
    for marker in (" tỉnh ", " thành phố "):
        if marker in name:
            return name.rsplit(marker, 1)[1].strip() or None
    return None


def _short(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


