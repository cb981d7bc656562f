"""SHACL validation (pySHACL) of the store's graphs against ontology/shapes.ttl.

Fact nodes are per document, so the union of all named graphs is validated at once; the
ontology (kg.ttl) is the ontology graph, which gives the shapes the class hierarchy.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
import rdflib

from kg.errors import ValidationError
from kg.store import Store
from kg.vocab import ONTOLOGY_FILE, SHAPES_FILE


@lru_cache(maxsize=1)
def _graphs() -> tuple[rdflib.Graph, rdflib.Graph]:
    try:
        shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
        ontology = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    except (OSError, SyntaxError) as e:
        raise ValidationError(f"cannot read the shapes or ontology: {e}", source=str(SHAPES_FILE.parent)) from None
    return shapes, ontology


def data_graph(source: Store | rdflib.Graph | list[ox.Quad]) -> rdflib.Graph:
    """The union of the triples of a store, an rdflib graph/dataset, or a list of quads."""
    if isinstance(source, rdflib.Graph) and not isinstance(source, rdflib.ConjunctiveGraph):
        return source
    if isinstance(source, rdflib.ConjunctiveGraph):
        union = rdflib.Graph()
        for s, p, o, _ in source.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    if isinstance(source, Store):
        triples = source.inner.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    else:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in source]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")


def validate(source: Store | rdflib.Graph | list[ox.Quad]) -> tuple[bool, str]:
    """Validate against ontology/shapes.ttl: ``(conforms, report text)``.

    Raises:
        ValidationError: if the shapes or the ontology cannot be read.
    """
    import pyshacl

    shapes, ontology = _graphs()
    conforms, _, text = pyshacl.validate(
        data_graph(source), shacl_graph=shapes, ont_graph=ontology, inference="none",
        abort_on_first=False, allow_warnings=True)
    return bool(conforms), str(text)
