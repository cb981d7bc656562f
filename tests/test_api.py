"""kg.open / KnowledgeGraph: lazy import, ingest, sparql with bindings, named queries,
graphs, views, HTML summary, closing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.errors import QueryError, StoreError, UsageError

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"


@pytest.fixture(scope="module")
def g(tmp_path_factory):
    graph = kg.open(tmp_path_factory.mktemp("api") / "store")
    report = graph.ingest(SAMPLES)
    assert report.documents == 8 and not report.failed
    yield graph
    graph.close()


def test_import_kg_stays_light():
    code = "import sys, kg; print(any(m in sys.modules for m in ('pandas', 'networkx', 'pyoxigraph', 'kg.api')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
    assert kg.open.__module__ == "kg.api" and kg.KnowledgeGraph.__name__ == "KnowledgeGraph"


def test_summary_and_html(g):
    counts = g.summary()
    assert set(counts) == {"documents", "persons", "holdings", "events", "organizations"}
    assert counts["documents"] == 8 and counts["persons"] >= 30 and counts["organizations"] >= 20
    page = g._repr_html_()
    assert page.startswith("<table>") and f"<td style='text-align:right'>{counts['persons']}</td>" in page
    assert "(writable)" in page


def test_html_escapes_the_path(tmp_path):
    with kg.open(tmp_path / "<b>&x") as g:
        page = g._repr_html_()
    assert "<b>&x" not in page and "&lt;b&gt;&amp;x" in page


def test_sparql_bindings_are_values(g):
    frame = g.sparql("SELECT ?name ?where WHERE { ?p a kg:Person ; kg:name ?name ; kg:province ?where }",
                     where="Sơn La")
    assert "Cầm Văn Thượng" in set(frame["name"]) and set(frame["where"]) == {"Sơn La"}
    for hostile in ['Sơn La" || true || "', "Sơn La } } SELECT * {", "?where"]:
        assert g.sparql("SELECT ?name ?where WHERE { ?p kg:name ?name ; kg:province ?where }",
                        where=hostile).empty
    with pytest.raises(QueryError):
        g.sparql("SELECT WHERE {")
    assert g.sparql("ASK { ?p a kg:Person }")["result"].tolist() == [True]


def test_named_and_catalog(g):
    career = g.named("career", person="Phạm Quốc Thái")
    assert "Chủ tịch UBND tỉnh Hà Tĩnh" in set(career["position"])
    with pytest.raises(QueryError, match="no parameter"):
        g.named("career", persn="x")
    with pytest.raises(UsageError, match="no named query"):
        g.named("carer", person="x")
    catalog = g.queries()
    assert {"career", "succession", "people_by_province"} <= set(catalog["name"])
    assert catalog.set_index("name").loc["holders", "parameters"] == "of, at=''"


def test_graph_and_view(g):
    graph = g.graph("person-org", province="Hà Tĩnh")
    assert graph.number_of_nodes() > 0
    assert {a["type"] for _, a in graph.nodes(data=True)} == {"person", "organization"}
    with pytest.raises(UsageError, match="unknown graph"):
        g.graph("people")
    page = g.view("person-org")
    assert "<html" in str(page).lower() and "Trần Bá Luân" in str(page)


def test_read_only_cannot_ingest_and_close_is_idempotent(g, tmp_path):
    with kg.open(tmp_path / "ro") as writer:
        writer.ingest([SAMPLES / "03_binhdinh_bo_nhiem_giam_doc_so_xay_dung.txt"])
    reader = kg.open(tmp_path / "ro", read_only=True)
    assert reader.summary()["documents"] == 1
    with pytest.raises(StoreError):
        reader.ingest([SAMPLES / "04_sonla_lam_viec_so_y_te.txt"])
    reader.close()
    reader.close()
    with pytest.raises(StoreError):
        reader.summary()
