"""kg.analytics on data/samples: networks, filters, measures, communities, brokers, exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pytest
from networkx.algorithms import bipartite

import kg
from kg import analytics
from kg.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def g(tmp_path_factory):
    graph = kg.open(tmp_path_factory.mktemp("analytics") / "store")
    graph.ingest(ROOT / "data" / "samples")
    yield graph
    graph.close()


def _label(graph, label):
    return next(n for n, a in graph.nodes(data=True) if a.get("label") == label)


def test_person_org_is_bipartite_with_dated_holdings(g):
    po = g.graph("person-org")
    persons = {n for n, a in po.nodes(data=True) if a["type"] == "person"}
    assert persons and bipartite.is_bipartite_node_set(po, persons)
    luan = _label(po, "Trần Bá Luân")
    ubnd = _label(po, "UBND tỉnh Hà Tĩnh")
    edge = po.edges[luan, ubnd]
    assert edge["relation"] == "holds" and edge["start"] == "2024-03-15" and edge["end"] is None
    assert "Phó Chủ tịch UBND tỉnh Hà Tĩnh (starts, 2024-03-15)" in edge["details"]["posts"]
    assert edge["evidence"][0]["file"] == "02_hdnd_hatinh_bau_chu_tich.txt"
    # a post that ended: the edge has an end and no start
    kh = [o for o in po[luan] if "Kế hoạch" in po.nodes[o]["label"]][0]
    assert po.edges[luan, kh]["start"] is None and po.edges[luan, kh]["end"] == "2024-03-15"


def test_person_event_and_coattendance_agree_with_the_named_query(g):
    pe = g.graph("person-event")
    events = [n for n, a in pe.nodes(data=True) if a["type"] == "event"]
    assert len(events) == g.summary()["events"] >= 8
    co = g.graph("coattendance")
    pairs = g.named("coattendance")
    assert co.number_of_edges() == len(pairs)
    for row in pairs.itertuples():
        assert co.edges[row.a, row.b]["weight"] == row.events
    # the projection of person-event onto persons has the same edges
    persons = [n for n, a in pe.nodes(data=True) if a["type"] == "person"]
    assert set(map(frozenset, bipartite.projected_graph(pe, persons).edges)) == set(map(frozenset, co.edges))


def test_filters(g):
    ha_tinh = g.graph("person-org", province="tỉnh Hà Tĩnh")
    assert {a["province"] for _, a in ha_tinh.nodes(data=True) if a["type"] == "person"} == {"Hà Tĩnh"}
    visits = g.graph("person-event", event_kind="visit")
    assert {a["kind"] for _, a in visits.nodes(data=True) if a["type"] == "event"} == {"visit"}
    late = g.graph("full", since="2025-01-01")
    assert all(a["start"] >= "2025-01-01" for _, a in late.nodes(data=True) if a["type"] == "event")
    early = g.graph("person-org", until="2023-12-31")
    assert "Trần Bá Luân" not in {a["label"] for _, a in early.nodes(data=True)}
    org = g.graph("person-event", organization="Tỉnh ủy Hà Tĩnh")
    assert [a["kind"] for _, a in org.nodes(data=True) if a["type"] == "event"] == ["meeting"]
    with pytest.raises(UsageError, match="date"):
        g.graph("full", since="2024-13-01")
    with pytest.raises(UsageError, match="event kind"):
        g.graph("full", event_kind="party")


def test_ego_and_org_tree(g):
    ego = g.graph("ego", person="Phạm Quốc Thái", depth=1)
    centre = _label(ego, "Phạm Quốc Thái")
    assert all(nx.shortest_path_length(ego, centre, n) <= 1 for n in ego)
    assert {"UBND tỉnh Hà Tĩnh", "Tỉnh ủy Hà Tĩnh"} <= {a["label"] for _, a in ego.nodes(data=True)}
    assert g.graph("ego", person="Phạm Quốc Thái", depth=2).number_of_nodes() > ego.number_of_nodes()
    with pytest.raises(UsageError, match="needs a person"):
        g.graph("ego")
    with pytest.raises(UsageError, match="no person"):
        g.graph("ego", person="Không Có Ai")
    tree = g.graph("org-tree")
    assert tree.is_directed()
    parent = _label(tree, "Đảng bộ Khối các cơ quan tỉnh Hòa Bình")
    assert [tree.nodes[c]["label"] for c in tree.successors(parent)] == ["Đảng bộ Sở Giáo dục và Đào tạo tỉnh Hòa Bình"]


def test_measures_communities_and_brokers(g):
    full = g.graph("full")
    table = analytics.measures(full, seed=0)
    assert len(table) == full.number_of_nodes()
    assert table["betweenness"].is_monotonic_decreasing
    row = table.set_index("label").loc["Trần Bá Luân"]
    assert row["degree"] == full.degree(_label(full, "Trần Bá Luân"))
    assert analytics.measures(full, seed=0)["community"].tolist() == table["community"].tolist()
    co = g.graph("coattendance")
    found = analytics.communities(co, seed=0)
    assert sum(map(len, found)) == co.number_of_nodes()
    # co-attendees of one article end up in one community
    sonla = {n for n, a in co.nodes(data=True) if a["province"] == "Sơn La"}
    assert any(sonla <= c for c in found)
    # brokers: a person linked to two provinces' organizations
    full.add_node("org:x", type="organization", label="X", province="Lào Cai")
    full.add_edge(_label(full, "Trần Bá Luân"), "org:x")
    brokers = analytics.brokers(full, min_provinces=2)
    assert brokers.set_index("label").loc["Trần Bá Luân", "province_names"] == "Hà Tĩnh, Lào Cai"
    assert analytics.measures(nx.Graph()).empty


@pytest.mark.parametrize("kind", ["full", "person-org", "coattendance", "org-tree"])
def test_gexf_and_graphml_round_trip(g, tmp_path, kind):
    graph = g.graph(kind)
    analytics.export(graph, "gexf", tmp_path / "g.gexf")
    back = nx.read_gexf(tmp_path / "g.gexf")
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    text = (tmp_path / "g.gexf").read_text(encoding="utf-8")
    assert 'mode="dynamic"' in text
    if kind in ("full", "person-org"):
        assert 'timeformat="date"' in text and 'start="2024-03-15"' in text
    analytics.export(graph, "graphml", tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())


def test_exportable_completes_dates_and_flattens():
    graph = nx.Graph()
    graph.add_node("a", type="person", label="A", start="2024", end=None, evidence=[{"quote": "q", "file": "f"}],
                   details={"iri": "a"})
    graph.add_node("b", type="organization", label="B")
    graph.add_edge("a", "b", start="2024-05", relation="holds")
    flat = analytics.exportable(graph)
    assert flat.nodes["a"] == {"type": "person", "label": "A", "start": "2024-01-01", "sources": 1,
                               "quote": "q", "files": "f", "iri": "a"}
    assert flat.edges["a", "b"]["start"] == "2024-05-01"


def test_csv_export_and_cli(g, tmp_path):
    graph = g.graph("person-org")
    paths = analytics.export(graph, "csv", tmp_path / "net")
    nodes = list(csv.DictReader(io.open(paths[0], encoding="utf-8")))
    edges = list(csv.DictReader(io.open(paths[1], encoding="utf-8")))
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    assert {"id", "type", "label"} <= set(nodes[0]) and {"source", "target", "relation"} <= set(edges[0])
    with pytest.raises(UsageError, match="folder"):
        analytics.export(graph, "csv", io.BytesIO())
    with pytest.raises(UsageError, match="unknown graph format"):
        analytics.export(graph, "dot", tmp_path / "x")


def test_cli_export_and_analyze(tmp_path):
    import subprocess
    import sys

    store = tmp_path / "store"
    with kg.open(store) as writer:
        writer.ingest(ROOT / "data" / "samples")
        graph = writer.graph("person-org")
        co = writer.graph("coattendance")

    def kg_cli(*args):
        return subprocess.run([sys.executable, "-m", "kg.cli", "--store", str(store), *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    done = kg_cli("export", "--format", "gexf", "--graph", "person-org", "--out", str(tmp_path / "po.gexf"))
    assert done.returncode == 0, done.stderr
    back = nx.read_gexf(tmp_path / "po.gexf")
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    done = kg_cli("export", "--format", "csv", "--out", str(tmp_path / "csv"), "--province", "Sơn La")
    assert done.returncode == 0 and (tmp_path / "csv" / "edges.csv").is_file()
    assert kg_cli("export", "--format", "csv").returncode == 2
    assert kg_cli("export", "--format", "trig", "--province", "Sơn La").returncode == 2
    done = kg_cli("analyze", "--graph", "coattendance", "--top", "3", "--out", str(tmp_path / "m.csv"))
    assert done.returncode == 0, done.stderr
    assert "betweenness" in done.stdout and "community" in done.stdout
    rows = list(csv.DictReader(io.open(tmp_path / "m.csv", encoding="utf-8")))
    assert len(rows) == co.number_of_nodes()
    done = kg_cli("analyze", "--brokers")
    assert done.returncode == 0 and "provinces" in done.stdout
