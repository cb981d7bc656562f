"""RemoteStore against a real Oxigraph server: ingest, query, export run unchanged.

.ci/run starts ``oxigraph serve`` on 127.0.0.1 and sets KG_TEST_OXIGRAPH_URL. Without it,
a developer's run starts its own server from the ``oxigraph`` package's binary when it can,
and skips with the reason otherwise; in CI (CI=true) an unreachable server is a failure.
The tests wipe the server's data: never point KG_TEST_OXIGRAPH_URL at a server you care about.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import queries
from kg.cli import cli
from kg.errors import QueryError, StoreError
from kg.export import export_facts
from kg.pipeline import ingest
from kg.remote import RemoteStore, inject_values
from kg.scale import extract_shards, load_shards
from kg.store import Store, open_store

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
STAMP = "2024-05-01T00:00:00Z"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    url = os.environ.get("KG_TEST_OXIGRAPH_URL")
    if url:
        if _answers(url):
            yield url.rstrip("/")
            return
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Oxigraph server at {url} does not answer (.ci/run should have started it)")
        pytest.skip(f"the Oxigraph server at {url} does not answer")
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("no Oxigraph server: set KG_TEST_OXIGRAPH_URL (.ci/run does) or install the oxigraph package")
        pytest.skip("no Oxigraph server: install the `oxigraph` package (dev extra) or set KG_TEST_OXIGRAPH_URL")
    port = _free_port()
    data = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen([binary, "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if _answers(url):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the Oxigraph server started for the tests does not answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def remote(server_url):
    with RemoteStore.open(server_url) as store:
        store._update("DROP ALL")
        yield store


def test_ingest_query_export_match_the_embedded_store(remote, tmp_path):
    report = ingest([SAMPLES], store=remote, ingested_at=STAMP)
    assert report.documents == len(list(SAMPLES.iterdir())) and not report.failed
    assert ingest([SAMPLES], store=remote).unchanged == report.documents
    with Store.open(tmp_path / "local") as local:
        ingest([SAMPLES], store=local, ingested_at=STAMP)
        for key in ("documents", "persons", "holdings", "events", "triples"):
            assert list(remote.stats()) == list(local.stats())
            assert remote.stats()[key] == local.stats()[key], key
        mine, theirs = io.StringIO(), io.StringIO()
        export_facts(remote, mine)
        export_facts(local, theirs)
        assert mine.getvalue() == theirs.getvalue()
        assert set(ox.parse(remote.dumps("nquads"), format=ox.RdfFormat.N_QUADS)) == set(local.inner)
        assert len(set(ox.parse(remote.dumps("trig"), format=ox.RdfFormat.TRIG))) == len(local.inner)
        rows = local.query(queries.load("positions")).dicts()
        person = rows[0]["person"]
        bound = remote.query(queries.load("positions"), bindings={"person": person}).rows
        assert bound == local.query(queries.load("positions"), bindings={"person": person}).rows
        assert len(bound) >= 1


def test_named_queries_give_the_embedded_rows_through_the_server(remote, tmp_path):
    # the parameters reach the server as VALUES blocks, also inside the sub-selects that look
    # them up (holders_at filters on ?date inside an aggregate: without them it found nothing)
    ingest([SAMPLES], store=remote, ingested_at=STAMP)
    with Store.open(tmp_path / "local") as local:
        ingest([SAMPLES], store=local, ingested_at=STAMP)
        key, date, person = local.query(
            "SELECT ?k ?d ?n WHERE { GRAPH <https://w3id.org/kg-vn/graph/resolution> { "
            "?t kg:postKey ?k ; kg:firstAttested ?d ; kg:holder ?e . ?e kg:name ?n } } ORDER BY ?k LIMIT 1").rows[0]
        attendee = local.query("SELECT ?n WHERE { GRAPH ?g { ?e kg:chair|kg:participant ?p . ?p kg:name ?n } } "
                               "ORDER BY ?n LIMIT 1").rows[0][0]
        cases = [("holders_at", {"key": key, "date": date}), ("explain", {"name": person}),
                 ("career", {"person": person}), ("coattendance", {"person": attendee}),
                 ("served_with", {"person": person}), ("people_by_province", {"province": "Hà Tĩnh"})]
        for name, params in cases:
            here = sorted(map(str, queries.run(local, name, params).rows))
            there = sorted(map(str, queries.run(remote, name, params).rows))
            assert there == here, name
            if name in ("holders_at", "explain", "career", "coattendance"):
                assert here, name


def test_bindings_are_escaped_terms_never_text(remote):
    iri = "https://w3id.org/kg-vn/doc/" + "a" * 64
    evil = 'x" } } ; DROP ALL ; INSERT DATA { <http://e/s> <http://e/p> "o'
    remote.put_document(iri, [ox.Quad(ox.NamedNode(iri), ox.NamedNode("https://schema.org/name"), ox.Literal(evil))])
    rows = remote.query("SELECT ?s ?n WHERE { GRAPH ?g { ?s <https://schema.org/name> ?n } }", bindings={"n": evil}).rows
    assert rows == [(iri, evil)]
    assert remote.query("SELECT (COUNT(*) AS ?c) WHERE { GRAPH ?g { ?s ?p ?o } }").rows == [(1,)]
    text = inject_values("PREFIX x: <http://x/{}> SELECT ?a WHERE { ?a ?b ?c }", {"c": ox.Literal("}")})
    assert text.endswith('WHERE { VALUES (?c) { ("}") } ?a ?b ?c }')
    with pytest.raises(QueryError):
        remote.query("SELECT ?a WHERE { ?a ?b ?c }", bindings={"c": ox.BlankNode("b")})
    with pytest.raises(QueryError):
        remote.query("SELECT ?a WHERE { ?a ?b ")


def test_replace_and_remove_a_document(remote):
    g = "https://w3id.org/kg-vn/doc/" + "b" * 64
    name = ox.NamedNode("https://schema.org/name")
    remote.put_document(g, [ox.Quad(ox.NamedNode(g), name, ox.Literal("old"))])
    remote.put_document(g, [ox.Quad(ox.NamedNode(g), name, ox.Literal("new"))])
    assert remote.query("SELECT ?n WHERE { GRAPH ?g { ?s ?p ?n } }").rows == [("new",)]
    remote.remove_document(g)
    assert remote.query("ASK { GRAPH ?g { ?s ?p ?o } }").rows == [(False,)]


def test_bulk_load_of_shards_through_the_graph_store_endpoint(remote, tmp_path):
    extract_shards([SAMPLES], tmp_path / "shards", shard_size=3, ingested_at=STAMP)
    report = load_shards(tmp_path / "shards", store=remote)
    assert report.shards == 3
    with Store.open(tmp_path / "local") as local:
        load_shards(tmp_path / "shards", store=local)
        assert set(remote) == set(local.inner)


def test_cli_runs_unchanged_against_the_server(remote, server_url):
    runner = CliRunner()
    r = runner.invoke(cli, ["--store", server_url, "ingest", str(SAMPLES)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["--store", server_url, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?h a kg:Holding }",
                            "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["n"] > 0, r.output
    r = runner.invoke(cli, ["--store", server_url, "export", "--format", "facts"])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == len(list(SAMPLES.iterdir()))


def test_unreachable_server_is_one_line_error():
    port = _free_port()
    with pytest.raises(StoreError) as err:
        open_store(f"http://127.0.0.1:{port}")
    assert "cannot reach the SPARQL server" in str(err.value)
    r = CliRunner().invoke(cli, ["--store", f"http://127.0.0.1:{port}", "stats"])
    assert r.exit_code == 2 and r.stderr.startswith("kg: ") and len(r.stderr.strip().splitlines()) == 1
