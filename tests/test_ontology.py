"""The ontology and shapes parse, and kg/vocab.py names exactly the ontology's kg: terms."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.vocab import (COUNT_KIND_CONCEPTS, EVENT_CLASSES, KG, KG_NS, ONTOLOGY_FILE, SHAPES_FILE,
                      STATUS_CONCEPTS)
from kg.model import COUNT_KINDS, EVENT_KINDS, STATUSES

DECLARED = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual, SKOS.ConceptScheme)


def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


def declared_terms(g: rdflib.Graph) -> set[str]:
    return {str(s) for t in DECLARED for s in g.subjects(RDF.type, t) if str(s).startswith(KG_NS)}


def vocab_terms() -> set[str]:
    return {KG_NS + name for name in KG.__annotations__}


def test_ontology_and_shapes_parse():
    g = ontology()
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    assert len(g) > 200
    assert len(shapes) > 50


def test_vocab_matches_ontology_both_ways():
    declared, named = declared_terms(ontology()), vocab_terms()
    assert named - declared == set(), "vocab.py names terms kg.ttl lacks"
    assert declared - named == set(), "kg.ttl declares terms vocab.py lacks"


def test_every_kg_term_used_in_ontology_is_declared():
    g = ontology()
    used = {str(t) for triple in g for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(KG_NS)}
    assert used - declared_terms(g) == set()


def test_every_term_has_english_and_vietnamese_label_and_comment():
    g = ontology()
    for term in declared_terms(g):
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in g.objects(rdflib.URIRef(term), prop)}
            assert {"en", "vi"} <= langs, f"{term} lacks an en/vi {prop}"


def test_alignment_with_org_prov_schema():
    g = ontology()
    org, prov, schema = (rdflib.Namespace(n) for n in
                         ("http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "https://schema.org/"))
    assert (KG.Holding, RDFS.subClassOf, org.Membership) in g
    assert (KG.Event, RDFS.subClassOf, prov.Activity) in g
    assert (KG.Document, RDFS.subClassOf, schema.NewsArticle) in g
    assert (KG.holdsPosition, RDFS.subPropertyOf, org.holds) in g
    assert (KG.subOrganizationOf, RDFS.subPropertyOf, org.subOrganizationOf) in g


def test_model_keywords_all_map_to_terms():
    assert set(EVENT_CLASSES) == set(EVENT_KINDS)
    assert set(STATUS_CONCEPTS) == set(STATUSES)
    assert set(COUNT_KIND_CONCEPTS) == set(COUNT_KINDS)
    g = ontology()
    for kind, cls in EVENT_CLASSES.items():
        assert (cls, RDFS.subClassOf, KG.Event) in g, kind


def test_unknown_term_raises():
    import pytest

    with pytest.raises(AttributeError):
        KG.Poste  # noqa: B018
