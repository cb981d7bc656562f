"""SHACL: what kg.rdf writes conforms; broken facts do not."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib.namespace import RDF

from kg.rdf import facts_to_quads
from kg.store import Store
from kg.validate import validate
from kg.vocab import KG, node

from kg_sample import sample_facts


def holdings(quads):
    return [q.subject for q in quads if q.predicate == node(RDF.type) and q.object == node(KG.Holding)]


def test_written_facts_conform(tmp_path):
    iri, quads = facts_to_quads(sample_facts())
    conforms, report = validate(quads)
    assert conforms, report
    with Store.open(tmp_path / "s") as store:
        store.put_document(iri, quads)
        conforms, report = validate(store)
    assert conforms, report


def test_holding_without_status_fails():
    _, quads = facts_to_quads(sample_facts())
    holding = holdings(quads)[0]
    broken = [q for q in quads if not (q.subject == holding and q.predicate == node(KG.status))]
    conforms, report = validate(broken)
    assert not conforms
    assert "status" in report


def test_holding_with_unknown_status_and_second_person_fails():
    iri, quads = facts_to_quads(sample_facts())
    holding = holdings(quads)[0]
    g = ox.NamedNode(iri)
    extra = [ox.Quad(holding, node(KG.status), ox.NamedNode(KG.Holding), g),
             ox.Quad(holding, node(KG.person), ox.NamedNode("https://w3id.org/kg-vn/person/other"), g)]
    conforms, report = validate(quads + extra)
    assert not conforms
    assert "kg-vn/ontology#person" in report or "MaxCount" in report


def test_evidence_offsets_must_be_integers():
    iri, quads = facts_to_quads(sample_facts())
    broken = [ox.Quad(q.subject, q.predicate, ox.Literal("12"), q.graph_name)
              if q.predicate == node(KG.startOffset) else q for q in quads]
    conforms, report = validate(broken)
    assert not conforms and "startOffset" in report


def test_negative_count_fails():
    iri, quads = facts_to_quads(sample_facts())
    broken = [ox.Quad(q.subject, q.predicate, ox.Literal(-5), q.graph_name)
              if q.predicate == node(KG.value) else q for q in quads]
    assert not validate(broken)[0]


def test_event_with_two_kinds_fails():
    iri, quads = facts_to_quads(sample_facts())
    event = next(q.subject for q in quads if q.object == node(KG.Congress))
    extra = ox.Quad(event, node(RDF.type), node(KG.Visit), ox.NamedNode(iri))
    conforms, report = validate(quads + [extra])
    assert not conforms and "kind" in report


def test_unknown_kind_is_refused_by_the_builder():
    facts = sample_facts()
    bad = facts.holdings[0].__class__(**{**facts.holdings[0].__dict__, "status": "retired"})
    with pytest.raises(ValueError, match="status"):
        facts_to_quads(facts.__class__(**{**facts.__dict__, "holdings": (bad,)}))
