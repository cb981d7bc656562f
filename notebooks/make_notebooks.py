"""Write the three notebooks of this folder (run: .venv/bin/python notebooks/make_notebooks.py).

Each runs offline top to bottom: with ``STORE = None`` it ingests data/samples into a
temporary store; point ``STORE`` at your own store folder to explore it instead (the
``assert`` cells check the sample data and are skipped for another store).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''# Path of your own store (a folder made by `kg ingest`), or None to build a temporary one
# from the sample articles in data/samples.
STORE = None

import tempfile
from pathlib import Path

import kg

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "data" / "samples").is_dir())
SAMPLES = STORE is None
if SAMPLES:
    STORE = Path(tempfile.mkdtemp(prefix="kg-notebook-")) / "store"
g = kg.open(STORE)
if SAMPLES:
    report = g.ingest([ROOT / "data" / "samples"])
    assert report.documents == 8 and not report.failed, report.summary()
g'''


def notebook(title: str, intro: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_markdown_cell(f"# {title}\n\n{intro}"), new_code_cell(SETUP)]
    for kind, source in cells:
        nb.cells.append(new_markdown_cell(source) if kind == "md" else new_code_cell(source))
    nb.cells.append(new_code_cell("g.close()"))
    return nb


QUICKSTART = notebook("kg quickstart", (
    "Open a store, ingest articles, look at what it holds, and ask it questions: in SPARQL "
    "with bindings, or with the named research queries."), [
    ("md", "The store's summary and its counts:"),
    ("code", '''counts = g.summary()
counts'''),
    ("code", '''if SAMPLES:
    assert counts["documents"] == 8
    assert counts["persons"] >= 30 and counts["holdings"] >= 50 and counts["events"] >= 8
    assert counts["organizations"] >= 20'''),
    ("md", "The named research queries and their parameters (`kg queries` on the command line):"),
    ("code", '''catalog = g.queries()
assert {"career", "holders", "succession", "coattendance", "served_with", "org_chart",
        "counts_over_time", "org_events", "people_by_province"} <= set(catalog["name"])
catalog'''),
    ("md", "SPARQL returns a pandas DataFrame. Keyword arguments are SPARQL bindings, never pasted "
           "into the text, so a value with quotes or braces stays a value:"),
    ("code", '''persons = g.sparql("""
SELECT ?name ?province ?where WHERE {
  ?p a kg:Person ; kg:name ?name .
  OPTIONAL { ?p kg:province ?province }
  FILTER (?province = ?where)
} ORDER BY ?name""", where="Sơn La")
persons'''),
    ("code", '''if SAMPLES:
    assert "Cầm Văn Thượng" in set(persons["name"])
    assert set(persons["province"]) == {"Sơn La"}
hostile = g.sparql("SELECT ?name ?where WHERE { ?p kg:name ?name FILTER (?name = ?where) }",
                   where='x" } } SELECT * WHERE { ?s ?p ?o } #')
assert hostile.empty'''),
    ("md", "Persons by province, from a named query:"),
    ("code", '''people = g.named("people_by_province")
by_province = people.groupby("province_name")["name"].count().sort_values(ascending=False)
by_province'''),
    ("code", '''if SAMPLES:
    assert {"Hà Tĩnh", "Sơn La", "Bình Định", "Lâm Đồng"} <= set(by_province.index)
    ha_tinh = g.named("people_by_province", province="tỉnh Hà Tĩnh")
    assert "Trần Bá Luân" in set(ha_tinh["name"])
    assert set(ha_tinh["province_name"]) == {"Hà Tĩnh"}'''),
])

CAREERS = notebook("Careers and succession", (
    "Who held which post, when, and who came after whom: the `career`, `succession`, `holders`, "
    "`served_with`, `org_chart`, `org_events` and `counts_over_time` queries. A holding without its "
    "own date takes its article's date; `since` is the first date an article shows the post held, "
    "`until` the first date one shows it ended."), [
    ("code", '''career = g.named("career", person="Trần Bá Luân")
career[["name", "position", "since", "until", "statuses", "files", "quotes"]]'''),
    ("code", '''if SAMPLES:
    rows = career.set_index("position")
    assert rows.loc["Phó Chủ tịch UBND tỉnh Hà Tĩnh", "since"] == "2024-03-15"
    assert rows.loc["Phó Chủ tịch UBND tỉnh Hà Tĩnh", "statuses"] == "starts"
    ended = career[career["until"].notna()]
    assert any("Kế hoạch và Đầu tư" in p for p in ended["position"])
    assert career["quotes"].str.contains("Trần Bá Luân").all()'''),
    ("md", "A name is matched case-insensitively; an IRI works too:"),
    ("code", '''iri = career["iri"].iloc[0]
assert g.named("career", person=iri).equals(career)
assert g.named("career", person="trần bá luân").equals(career)'''),
    ("md", "The successive holders of a post, the former one first:"),
    ("code", '''succession = g.named("succession", post="Giám đốc Sở Xây dựng tỉnh Bình Định")
succession[["name", "since", "until", "statuses", "quotes"]]'''),
    ("code", '''if SAMPLES:
    assert list(succession["name"]) == ["Văn Đình Quốc", "Hồ Ngọc Phú"]
    assert succession["until"].iloc[0] == "2023-11-03" and succession["since"].iloc[1] == "2023-11-03"'''),
    ("md", "Who held posts in an organization at a date (a date before any article gives nobody):"),
    ("code", '''holders = g.named("holders", of="UBND tỉnh Hà Tĩnh", at="2024-06-01")
holders[["name", "position", "since", "until"]]'''),
    ("code", '''if SAMPLES:
    assert {"Phạm Quốc Thái", "Trần Bá Luân"} <= set(holders["name"])
    assert g.named("holders", of="UBND tỉnh Hà Tĩnh", at="2020").empty'''),
    ("md", "Persons who held posts in the same organization at overlapping times:"),
    ("code", '''served = g.named("served_with", organization="Tỉnh ủy Hà Tĩnh")
served[["a_name", "b_name", "organization_name", "from", "to"]]'''),
    ("code", '''if SAMPLES:
    pairs = {frozenset(p) for p in zip(served["a_name"], served["b_name"])}
    assert frozenset({"Trương Công Hiến", "Nguyễn Hữu Phước"}) in pairs'''),
    ("md", "Sub-organizations, counts stated about organizations, and an organization's events:"),
    ("code", '''chart = g.named("org_chart")
counts = g.named("counts_over_time", what="party_members")
events = g.named("org_events", organization="Tỉnh ủy Hà Tĩnh")
chart[["child_name", "parent_name"]], counts[["organization_name", "value", "date"]], events[["date", "event_kind", "relation", "members"]]'''),
    ("code", '''if SAMPLES:
    assert "Đảng bộ Khối các cơ quan tỉnh Hòa Bình" in set(chart["parent_name"])
    members = counts.set_index("organization_name")["value"]
    assert members["Đảng bộ Sở Y tế tỉnh Sơn La"] == 1540
    assert "meeting" in set(events["event_kind"])'''),
    ("md", "Bad parameters are one-line errors:"),
    ("code", '''from kg.errors import QueryError

try:
    g.named("holders", of="UBND tỉnh Hà Tĩnh", at="2024-02-30")
except QueryError as error:
    print(error)
else:
    raise AssertionError("a malformed date must be refused")'''),
])

NETWORKS = notebook("Networks and centrality", (
    "The graph as networkx networks (`g.graph(kind, ...)`): persons and organizations, persons "
    "and events, the co-attendance projection, an ego network, the organization tree; degree, "
    "betweenness, Louvain communities and brokers between provinces; GEXF for Gephi's timeline."), [
    ("code", '''from networkx.algorithms import bipartite

import networkx as nx
from kg import analytics

person_org = g.graph("person-org")
types = nx.get_node_attributes(person_org, "type")
persons = {n for n, t in types.items() if t == "person"}
assert bipartite.is_bipartite_node_set(person_org, persons)
assert set(types.values()) <= {"person", "organization"}
person_org'''),
    ("code", '''if SAMPLES:
    labels = nx.get_node_attributes(person_org, "label")
    luan = next(n for n, label in labels.items() if label == "Trần Bá Luân")
    orgs = {labels[o] for o in person_org[luan]}
    assert "UBND tỉnh Hà Tĩnh" in orgs
    edge = person_org.edges[luan, next(o for o in person_org[luan] if labels[o] == "UBND tỉnh Hà Tĩnh")]
    assert edge["start"] == "2024-03-15" and edge["relation"] == "holds"'''),
    ("md", "Co-attendance: persons linked by the events they shared; the edge weight is the count, "
           "the same as the `coattendance` named query's:"),
    ("code", '''co = g.graph("coattendance")
pairs = g.named("coattendance")
assert co.number_of_edges() == len(pairs)
for row in pairs.itertuples():
    assert co.edges[row.a, row.b]["weight"] == row.events
co'''),
    ("md", "Measures: degree, betweenness, Louvain community (fixed seed), provinces among neighbours:"),
    ("code", '''full = g.graph("full")
table = analytics.measures(full, seed=0)
table.head(10)'''),
    ("code", '''assert len(table) == full.number_of_nodes()
assert table["betweenness"].is_monotonic_decreasing
again = analytics.measures(full, seed=0)
assert table["community"].tolist() == again["community"].tolist()  # same seed, same communities
communities = analytics.communities(co, seed=0)
assert sum(len(c) for c in communities) == co.number_of_nodes()
if SAMPLES:
    # each sample article is its own cluster of co-attendees
    assert len(communities) >= 7'''),
    ("md", "Brokers: persons whose neighbours span several provinces (few in eight one-province articles):"),
    ("code", '''brokers = analytics.brokers(full, min_provinces=2)
brokers'''),
    ("code", '''assert list(brokers.columns) == ["node", "label", "province", "provinces", "province_names"]
assert (brokers["provinces"] >= 2).all()'''),
    ("md", "Filters and an ego network:"),
    ("code", '''ha_tinh = g.graph("person-org", province="Hà Tĩnh", since="2024-01-01")
ego = g.graph("ego", person="Phạm Quốc Thái", depth=2)
ha_tinh, ego'''),
    ("code", '''if SAMPLES:
    assert {a.get("province") for n, a in ha_tinh.nodes(data=True) if a["type"] == "person"} == {"Hà Tĩnh"}
    labels = nx.get_node_attributes(ego, "label")
    assert "Phạm Quốc Thái" in labels.values() and "Trần Bá Luân" in labels.values()'''),
    ("md", "The organization tree (parent -> child):"),
    ("code", '''tree = g.graph("org-tree")
if SAMPLES:
    assert tree.is_directed() and tree.number_of_edges() >= 2
sorted((tree.nodes[u]["label"], tree.nodes[v]["label"]) for u, v in tree.edges)'''),
    ("md", "Export for Gephi (GEXF with start/end dates: the timeline works) and read it back:"),
    ("code", '''out = Path(tempfile.mkdtemp(prefix="kg-gexf-")) / "full.gexf"
analytics.export(full, "gexf", out)
back = nx.read_gexf(out)
assert (back.number_of_nodes(), back.number_of_edges()) == (full.number_of_nodes(), full.number_of_edges())
assert 'mode="dynamic"' in out.read_text(encoding="utf-8")
out'''),
    ("md", "An interactive view of the same data (self-contained HTML, works offline):"),
    ("code", '''page = g.view("coattendance")
assert "<html" in str(page).lower()
page'''),
])


def main() -> None:
    for name, nb in (("quickstart", QUICKSTART), ("careers_and_succession", CAREERS),
                     ("networks_and_centrality", NETWORKS)):
        nbformat.validate(nb)
        nbformat.write(nb, HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
