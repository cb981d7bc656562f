"""`kg serve`: SPARQL 1.1 Protocol with SPARQLWrapper, read-only by default, limits."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.pipeline import ingest
from kg.remote import RemoteStore
from kg.server import ServerConfig, make_server
from kg.store import Store

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
PERSONS = "SELECT ?p ?n WHERE { ?p a kg:Person ; kg:name ?n } ORDER BY ?p ?n"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("served") / "store"
    with Store.open(path) as store:
        ingest([SAMPLES], store=store)
    return path


def serving(store, config: ServerConfig):
    server = make_server(store, port=0, config=config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}"


@pytest.fixture
def endpoint(store_dir):
    with Store.open(store_dir, read_only=True) as store:
        server, url = serving(store, ServerConfig(max_rows=1000))
        yield url, store
        server.shutdown()
        server.server_close()


def wrapper(url: str, query: str, fmt):
    s = SPARQLWrapper.SPARQLWrapper(f"{url}/query")
    s.setQuery(query)
    s.setReturnFormat(fmt)
    return s.query()


def test_binds_to_localhost_by_default(store_dir):
    with Store.open(store_dir, read_only=True) as store:
        server = make_server(store, port=0)
        assert server.server_address[0] == "127.0.0.1"
        server.server_close()


def test_select_in_every_result_format(endpoint):
    url, store = endpoint
    expected = store.query(PERSONS).rows
    data = wrapper(url, PERSONS, SPARQLWrapper.JSON).convert()
    assert [(b["p"]["value"], b["n"]["value"]) for b in data["results"]["bindings"]] == expected
    xml = wrapper(url, PERSONS, SPARQLWrapper.XML).convert()
    assert len(xml.getElementsByTagName("result")) == len(expected)
    csv_text = wrapper(url, PERSONS, SPARQLWrapper.CSV).convert().decode("utf-8").splitlines()
    assert csv_text[0] == "p,n" and len(csv_text) == len(expected) + 1
    tsv = wrapper(url, PERSONS, SPARQLWrapper.TSV).convert().decode("utf-8").splitlines()
    assert tsv[0] == "?p\t?n" and tsv[1].startswith("<https://w3id.org/kg-vn/person/")


def test_post_form_and_direct_ask_and_construct(endpoint):
    url, store = endpoint
    s = SPARQLWrapper.SPARQLWrapper(f"{url}/query")
    s.setMethod(SPARQLWrapper.POST)
    s.setQuery("ASK { ?h a kg:Holding }")
    s.setReturnFormat(SPARQLWrapper.JSON)
    assert s.query().convert()["boolean"] is True
    s.setRequestMethod(SPARQLWrapper.POSTDIRECTLY)
    s.setQuery("ASK { ?h a kg:NoSuchClass }")
    assert s.query().convert()["boolean"] is False
    ttl = wrapper(url, "CONSTRUCT { ?p kg:name ?n } WHERE { ?p a kg:Person ; kg:name ?n }", SPARQLWrapper.TURTLE)
    import rdflib

    graph = rdflib.Graph().parse(data=ttl.convert().decode("utf-8"), format="turtle")
    assert len(graph) == len({(p, n) for p, n in store.query(PERSONS).rows})


def test_updates_are_refused_unless_allowed(endpoint):
    url, _ = endpoint
    request = urllib.request.Request(f"{url}/update", data=b"DROP ALL",
                                     headers={"Content-Type": "application/sparql-update"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request)
    assert err.value.code == 403
    request = urllib.request.Request(f"{url}/store", data=b"<http://a/b> <http://a/c> <http://a/d> <http://a/g> .\n",
                                     headers={"Content-Type": "application/n-quads"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request)
    assert err.value.code == 403


def test_errors_limits_and_page(endpoint):
    url, _ = endpoint
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{url}/query?query=SELEC")
    assert err.value.code == 400
    big = urllib.request.Request(f"{url}/query", data=b"#" * (2 << 20), headers={"Content-Type": "application/sparql-query"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(big)
    assert err.value.code == 413
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(urllib.request.Request(f"{url}/query?query=ASK%7B%7D", headers={"Accept": "image/png"}))
    assert err.value.code == 406
    with urllib.request.urlopen(f"{url}/") as page:
        assert b"<form" in page.read() and page.headers.get_content_type() == "text/html"


def test_max_rows_and_timeout(store_dir):
    with Store.open(store_dir, read_only=True) as store:
        server, url = serving(store, ServerConfig(max_rows=3, timeout=0.3))
        try:
            r = wrapper(url, PERSONS, SPARQLWrapper.JSON)
            assert r.response.headers["X-KG-Truncated"] == "true"
            assert len(r.convert()["results"]["bindings"]) == 3
            slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
            server.RequestHandlerClass.config = ServerConfig(max_rows=10**12, timeout=0.3)
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(f"{url}/query?" + urllib.parse.urlencode({"query": slow}))
            assert err.value.code == 503
        finally:
            server.shutdown()
            server.server_close()


def test_remote_store_against_kg_serve_with_updates(tmp_path):
    with Store.open(tmp_path / "s") as store:
        server, url = serving(store, ServerConfig(allow_update=True))
        try:
            with RemoteStore.open(url) as remote:
                report = ingest([SAMPLES], store=remote)
                assert report.documents == len(list(SAMPLES.iterdir()))
                assert remote.stats()["documents"] == report.documents
                again = ingest([SAMPLES], store=remote)
                assert again.unchanged == report.documents
        finally:
            server.shutdown()
            server.server_close()
        with Store.open(tmp_path / "local") as local:
            ingest([SAMPLES], store=local)
            assert store.stats()["holdings"] == local.stats()["holdings"]

