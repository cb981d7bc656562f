"""Facts -> quads -> Store -> exports, on a hand-made Facts (tests/kg_sample.py)."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg import queries
from kg.errors import QueryError, StoreError, UsageError
from kg.model import Holding
from kg.export import export, export_facts, facts_records
from kg.rdf import facts_to_quads
from kg.store import Store
from kg.vocab import KG

from kg_sample import TEXT, expected_record, sample_facts


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "store") as s:
        yield s


@pytest.fixture
def loaded(store):
    iri, quads = facts_to_quads(sample_facts())
    store.put_document(iri, quads)
    return store, iri, quads


def plain(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph with ``"x"^^xsd:string`` written as ``"x"`` (the same literal in RDF 1.1;
    oxrdflib gives the former, rdflib's parsers the latter)."""
    out = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.datatype == rdflib.XSD.string:
            o = rdflib.Literal(str(o))
        out.add((s, p, o))
    return out


def graph_of(quads) -> rdflib.Graph:
    data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data.decode(), format="nt")


def test_quads_are_deterministic_and_in_the_document_graph():
    iri, quads = facts_to_quads(sample_facts())
    again_iri, again = facts_to_quads(sample_facts())
    assert iri == again_iri and quads == again
    assert {q.graph_name for q in quads} == {ox.NamedNode(iri)}
    assert len(set(quads)) == len(quads)


def test_evidence_quotes_are_the_text_at_their_offsets():
    _, quads = facts_to_quads(sample_facts())
    g = graph_of(quads)
    evidences = list(g.subjects(rdflib.RDF.type, rdflib.URIRef(KG.Evidence)))
    assert len(evidences) >= 8
    for ev in evidences:
        start, end = int(g.value(ev, KG.startOffset)), int(g.value(ev, KG.endOffset))
        assert TEXT[start:end] == str(g.value(ev, KG.quote))


def test_facts_export_equals_what_went_in(loaded):
    store, iri, _ = loaded
    facts = sample_facts()
    out = io.StringIO()
    assert export_facts(store, out) == 1
    record = json.loads(out.getvalue())
    ids = record.pop("ids")
    assert record == expected_record(facts)
    assert set(ids) == {p.name for p in facts.persons}
    assert all(v.startswith("https://w3id.org/kg-vn/person/") for v in ids.values())


def test_facts_export_two_documents_sorted_and_per_document_names(store):
    # The same person written two ways in two documents: one IRI, each document keeps its spelling.
    for facts in (sample_facts(), sample_facts(doc_id="001_other.txt", spelling="Lò Thị Hòa")):
        store.put_document(*facts_to_quads(facts))
    records = facts_records(store)
    assert [r["doc"] for r in records] == ["001_other.txt", "004_test.txt"]
    assert "Lò Thị Hòa" in records[0]["persons"] and "Lò Thị Hoà" in records[1]["persons"]
    assert records[0]["ids"]["Lò Thị Hòa"] == records[1]["ids"]["Lò Thị Hoà"]
    one = facts_records(store, doc=facts_to_quads(sample_facts())[0])
    assert [r["doc"] for r in one] == ["004_test.txt"]


def test_positions_keep_each_sentence_spelling(store):
    # Two spellings of one post in one document: one post IRI, each holding keeps its phrase.
    facts = sample_facts()
    first = facts.holdings[0]
    variant = Holding(first.person, first.position.replace("Ủy ban", "ủy ban"), first.role, first.organization,
                      "former", first.evidence, province=first.province)
    facts = dataclasses.replace(facts, holdings=facts.holdings + (variant,))
    store.put_document(*facts_to_quads(facts))
    got = {(p["position"], p["status"]) for p in facts_records(store)[0]["positions"]}
    assert {(first.position, "current"), (variant.position, "former")} <= got


def test_reput_replaces_without_duplicates(loaded):
    store, iri, quads = loaded
    store.put_document(iri, quads)
    assert len(store.inner) == len(quads)
    _, fewer = facts_to_quads(sample_facts(drop_last=True))
    store.put_document(iri, fewer)
    assert len(store.inner) == len(fewer) < len(quads)
    record = facts_records(store)[0]
    assert [e["kind"] for e in record["events"]] == ["working_session"] and record["counts"] == []
    store.remove_document(iri)
    assert len(store.inner) == 0


def test_has_document_hash(loaded):
    store, _, _ = loaded
    assert store.has_document_hash(sample_facts().doc.content_hash)
    assert not store.has_document_hash("0" * 64)
    assert store.documents()[0]["file"] == "004_test.txt"


def test_trig_round_trip_is_isomorphic_per_graph(loaded):
    store, iri, quads = loaded
    ds = rdflib.Dataset()
    ds.parse(data=store.dumps("trig").decode(), format="trig")
    names = {str(c.identifier) for c in ds.contexts() if len(c)}
    assert names == {iri}
    assert isomorphic(ds.graph(rdflib.URIRef(iri)), graph_of(quads))
    view = store.rdflib_dataset()
    assert isomorphic(plain(view.graph(rdflib.URIRef(iri))), graph_of(quads))


@pytest.mark.parametrize("fmt,parse_as", [("nquads", "nquads"), ("turtle", "turtle"), ("jsonld", "json-ld")])
def test_other_formats_parse_back(loaded, fmt, parse_as):
    store, _, quads = loaded
    data = io.BytesIO()
    export(store, fmt, data)
    ds = rdflib.Dataset()
    ds.parse(data=data.getvalue().decode(), format=parse_as)
    assert len(set((s, p, o) for s, p, o, _ in ds.quads())) == len(quads)


def test_unknown_format(store):
    with pytest.raises(UsageError):
        store.serialize("xml", io.BytesIO())


def test_named_positions_query_with_and_without_binding(loaded):
    store, _, _ = loaded
    every = store.query(queries.load("positions"))
    assert len(every.rows) == 3
    son = facts_records(store)[0]["ids"]["Nguyễn Văn Sơn"]
    one = store.query(queries.load("positions"), {"person": son}).dicts()
    assert [(r["position"], r["status"], r["file"]) for r in one] == [
        ("Chủ tịch Ủy ban nhân dân tỉnh Hà Giang", "current", "004_test.txt")]
    assert one[0]["quote"] in TEXT


@pytest.mark.parametrize("evil", [
    'Nguyễn Văn Sơn" } } UNION { GRAPH ?g { ?p ?x ?name } } #',
    "Nguyễn Văn Sơn' } ; DROP ALL ; #",
    "{ ?p ?q ?r }",
    "https://w3id.org/kg-vn/person/x> ?p ?o } #",
])
def test_bindings_cannot_change_a_query(loaded, evil):
    store, _, quads = loaded
    q = "SELECT ?p ?name WHERE { GRAPH ?g { ?p kg:name ?name } }"
    assert len(store.query(q, {"name": "Nguyễn Văn Sơn"}).rows) == 1
    assert store.query(q, {"name": evil}).rows == []
    assert len(store.inner) == len(quads)


def test_query_kinds_and_errors(loaded):
    store, _, _ = loaded
    assert store.query("ASK { ?s a kg:Holding }").rows == [(True,)]
    built = store.query("CONSTRUCT { ?s a kg:Holding } WHERE { ?s a kg:Holding }")
    assert built.vars == ("subject", "predicate", "object") and len(built.rows) == 3
    counts = store.query("SELECT ?v WHERE { ?c kg:value ?v }").rows
    assert counts == [(230,)]
    with pytest.raises(QueryError) as err:
        store.query("SELEC ?x WHERE {")
    assert "\n" not in str(err.value)
    with pytest.raises(QueryError, match="name"):
        store.query("SELECT ?p WHERE { ?p kg:name ?name }", {"name": "x"})


def test_second_writer_is_refused(tmp_path):
    path = tmp_path / "store"
    with Store.open(path):
        with pytest.raises(StoreError, match="in use by another kg process"):
            Store.open(path, lock_timeout=0.2)
        code = (f"from kg.store import Store\nfrom kg.errors import StoreError\n"
                f"try:\n    Store.open({str(path)!r}, lock_timeout=0.2)\nexcept StoreError as e:\n    print(e)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert "in use by another kg process" in out.stdout
    Store.open(path).close()  # released on close


def test_reader_while_writer_works(loaded, tmp_path):
    store, _, quads = loaded
    with Store.open(store.path, read_only=True) as reader:
        assert len(reader.query(queries.load("positions")).rows) == 3
        with pytest.raises(StoreError, match="read-only"):
            reader.put_document("https://w3id.org/kg-vn/doc/x", [])


def test_bad_paths(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        Store.open(a_file)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.md").write_text("x")
    with pytest.raises(StoreError, match="not a kg store"):
        Store.open(other)
    with pytest.raises(StoreError, match="no store here"):
        Store.open(tmp_path / "missing", read_only=True)


def test_damaged_store(tmp_path):
    path = tmp_path / "store"
    Store.open(path).close()
    for f in (path / "oxigraph").iterdir():
        if f.is_file():
            f.write_bytes(b"\x00garbage")
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert "\n" not in str(err.value)
    Store.open(tmp_path / "fresh").close()  # the lock of the failed open was released


def test_reopen_keeps_data(tmp_path):
    path = tmp_path / "store"
    with Store.open(path) as s:
        s.put_document(*facts_to_quads(sample_facts()))
    with Store.open(path) as s:
        assert s.stats()["holdings"] == 3 and s.stats()["documents"] == 1
