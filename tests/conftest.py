"""Shared fixtures. Until every stage module exists, tiny local fakes stand in for the
missing ones (kg.extract, kg.rdf, kg.store, kg.export, kg.validate) so the pipeline and
the CLI can be tested; each fake is used only when the real module cannot be imported."""

from __future__ import annotations

import importlib
import json
import re
import sys
import types

import pyoxigraph as ox

from kg.errors import QueryError, StoreError

FAKE_NS = "https://w3id.org/kg-vn/ontology#"
_NAME = re.compile(r"(?:Đồng chí|Ông|Bà) ((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?: [A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,3})")


def _missing(name: str, attr: str) -> bool:
    try:
        return not hasattr(importlib.import_module(name), attr)
    except ImportError:
        return True


def _fake_extract():
    from kg.model import Evidence, Facts, Person

    def extract(text):
        persons = tuple(
            Person(m.group(1), Evidence(m.start(1), m.end(1), m.group(1))) for m in _NAME.finditer(text.text)
        )
        return Facts(doc=text.doc, text=text.text, persons=persons)

    return {"extract": extract}


def _t(name):
    return ox.NamedNode(FAKE_NS + name)


def _fake_rdf():
    def facts_to_quads(facts):
        g = ox.NamedNode("https://w3id.org/kg-vn/doc/" + facts.doc.content_hash)
        quads = [
            ox.Quad(g, _t("fileName"), ox.Literal(facts.doc.doc_id), g),
            ox.Quad(g, _t("contentHash"), ox.Literal(facts.doc.content_hash), g),
        ]
        for p in facts.persons:
            iri = ox.NamedNode("https://w3id.org/kg-vn/person/" + str(abs(hash(p.name))))
            quads.append(ox.Quad(iri, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), _t("Person"), g))
            quads.append(ox.Quad(iri, _t("name"), ox.Literal(p.name), g))
        return g.value, quads

    return {"facts_to_quads": facts_to_quads}


class _Result:
    def __init__(self, vars, rows):
        self.vars, self.rows = vars, rows


class _FakeStore:
    def __init__(self, store):
        self._s = store

    @classmethod
    def open(cls, path, read_only=False):
        try:
            return cls(ox.Store.read_only(path) if read_only else ox.Store(path))
        except OSError as exc:
            raise StoreError(f"cannot open store: {exc}", source=str(path)) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._s = None

    def has_document_hash(self, h):
        return any(True for _ in self._s.quads_for_pattern(None, _t("contentHash"), ox.Literal(h), None))

    def put_document(self, iri, quads):
        g = ox.NamedNode(iri)
        self._s.remove_graph(g) if g in list(self._s.named_graphs()) else None
        self._s.extend(quads)

    def remove_document(self, iri):
        self._s.remove_graph(ox.NamedNode(iri))

    def query(self, sparql, bindings=None):
        subs = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        try:
            res = self._s.query(sparql, substitutions=subs or None, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL: {str(exc).splitlines()[0]}") from None
        if isinstance(res, ox.QueryBoolean):
            return bool(res)
        vars = [v.value for v in res.variables]
        return _Result(vars, [tuple(sol[v] for v in vars) for sol in res])

    def stats(self):
        n = lambda q: int(next(iter(self._s.query(q, use_default_graph_as_union=True)))[0].value)  # noqa: E731
        return {
            "documents": n(f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d <{FAKE_NS}contentHash> ?h }}"),
            "triples": len(self._s),
            "persons": n(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a <{FAKE_NS}Person> }}"),
        }

    def serialize(self, fmt, out):
        self._s.dump(out, format={"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}.get(fmt, ox.RdfFormat.N_QUADS))


def _fake_store():
    return {"Store": _FakeStore}


def _fake_export():
    def export_facts(store, out):
        rows = store.query(
            f"SELECT ?d ?name WHERE {{ GRAPH ?d {{ ?d <{FAKE_NS}fileName> ?name }} }} ORDER BY ?name"
        ).rows
        for d, name in rows:
            persons = store.query(
                f"SELECT ?g ?n WHERE {{ GRAPH ?g {{ ?p <{FAKE_NS}name> ?n }} }}", bindings={"g": d}
            ).rows
            out.write(json.dumps({"doc": name.value, "persons": sorted(p[1].value for p in persons)}, ensure_ascii=False) + "\n")

    def export(store, fmt, out):
        store.serialize(fmt, out)

    return {"export_facts": export_facts, "export": export}


def _fake_validate():
    return {"validate": lambda store: (True, "")}


FAKES = {
    "kg.extract": ("extract", _fake_extract),
    "kg.rdf": ("facts_to_quads", _fake_rdf),
    "kg.store": ("Store", _fake_store),
    "kg.export": ("export_facts", _fake_export),
    "kg.validate": ("validate", _fake_validate),
}

USING_FAKES = []
for _name, (_attr, _make) in FAKES.items():
    if _missing(_name, _attr):
        sys.modules.pop(_name, None)
        _mod = types.ModuleType(_name)
        _mod.__dict__.update(_make())
        sys.modules[_name] = _mod
        setattr(importlib.import_module("kg"), _name.split(".")[1], _mod)
        USING_FAKES.append(_name)
