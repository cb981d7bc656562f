"""A SPARQL 1.1 server as the store: the interface of :class:`kg.store.Store` over HTTP.

``kg --store http://127.0.0.1:7878 ...`` (or :func:`kg.store.open_store`) talks to a server
with the SPARQL 1.1 Protocol (queries and updates) and the Graph Store Protocol (bulk
loads and dumps). The endpoint layout defaults to Oxigraph's, which ``kg serve`` shares:
``<url>/query``, ``<url>/update`` and ``<url>/store``; other servers (Fuseki, GraphDB,
...) are reached by giving the three URLs to :meth:`RemoteStore.open`.

- A document is written with ONE SPARQL UPDATE (``DROP SILENT GRAPH ... ; INSERT DATA``),
  which a server applies as one transaction: a document is stored whole or not at all.
- Bulk loads stream N-Quads to the Graph Store endpoint (``POST /store``), not one update
  per triple.
- Bindings are injected as a ``VALUES`` block at the start of the WHERE clause, built from
  RDF terms serialized (and escaped) by pyoxigraph; text is never pasted into a query.
- The default graph of a query is the union of the named graphs: Oxigraph is asked for it
  with its ``union-default-graph`` parameter; on other servers configure the same.

Only the standard library's ``urllib`` is used.
"""

from __future__ import annotations

import io
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError, UsageError
from kg.store import (DOCUMENTS_QUERY, FORMATS, HAS_HASH_QUERY, SAME_FILE_QUERY, STATS_QUERY, QueryResult,
                      as_quads, replace_update, to_python, to_term)
from kg.vocab import KG, PREFIXES, node

__all__ = ["RemoteStore", "inject_values"]

_JSON = "application/sparql-results+json"
_NQUADS = "application/n-quads"
_MEDIA = {"turtle": "text/turtle", "trig": "application/trig", "nquads": _NQUADS}


class RemoteStore:
    """A kg store on a SPARQL server. Use :meth:`open`; it has no lock (the server serializes)."""

    def __init__(self, url: str, *, query_url: str, update_url: str, store_url: str, read_only: bool,
                 timeout: float, oxigraph: bool):
        """See :meth:`open`."""
        self.path = url  # what messages and ``stats()`` call the store
        self.url = url
        self.query_url = query_url
        self.update_url = update_url
        self.store_url = store_url
        self.read_only = read_only
        self.timeout = timeout
        self._oxigraph = oxigraph
        self._prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        self._open = True

    @classmethod
    def open(cls, url: str, *, read_only: bool = False, query_url: str | None = None,
             update_url: str | None = None, store_url: str | None = None, timeout: float = 600.0,
             oxigraph: bool = True) -> RemoteStore:
        """Connect to the server at ``url`` and check that it answers a query.

        ``oxigraph`` uses Oxigraph's extensions (the ``union-default-graph`` query parameter,
        ``no_transaction`` bulk loads); turn it off for other servers and configure their
        default graph as the union of the named graphs.

        Raises:
            StoreError: if the server does not answer or refuses the query.
        """
        base = url.rstrip("/")
        store = cls(base, query_url=query_url or f"{base}/query", update_url=update_url or f"{base}/update",
                    store_url=store_url or f"{base}/store", read_only=read_only, timeout=timeout,
                    oxigraph=oxigraph)
        store.query("ASK {}")
        return store

    def close(self) -> None:
        """Forget the connection (nothing is held open between requests). Safe to call twice."""
        self._open = False

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- HTTP --------------------------------------------------------------------------------

    def _request(self, url: str, *, data=None, headers: dict[str, str], method: str | None = None,
                 length: int | None = None):
        if not self._open:
            raise StoreError("store is closed", source=self.url)
        if length is not None:
            headers = {**headers, "Content-Length": str(length)}
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            body = e.read(2000).decode("utf-8", "replace")
            detail = " ".join(body.split())[:300] or e.reason
            if e.code == 400:
                raise QueryError(f"the server refused the request: {detail}") from None
            raise StoreError(f"the server answered {e.code}: {detail}", source=self.url) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"cannot reach the SPARQL server ({reason}); is it running?", source=self.url) from None

    def _update(self, update: str) -> None:
        self._writable()
        with self._request(self.update_url, data=update.encode("utf-8"),
                           headers={"Content-Type": "application/sparql-update"}):
            pass

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("store is opened read-only; open it without read_only to write", source=self.url)

    # -- writing -----------------------------------------------------------------------------

    def put_document(self, doc_iri: str, quads: Iterable[ox.Quad]) -> None:
        """Replace the named graph ``doc_iri`` with ``quads`` in one SPARQL UPDATE."""
        self.put_documents([(doc_iri, quads)])

    def put_documents(self, docs: Iterable[tuple[str, Iterable[ox.Quad] | bytes]], *, drop: Iterable[str] = ()) -> None:
        """Replace several documents' graphs (and drop the graphs in ``drop``) in ONE update."""
        docs = [(ox.NamedNode(iri), as_quads(quads)) for iri, quads in docs]
        self._update(replace_update(docs, drop=[ox.NamedNode(g) for g in drop]))

    def remove_document(self, doc_iri: str) -> None:
        """Remove a document's named graph (no error when it is absent)."""
        self._update(f"DROP SILENT GRAPH {ox.NamedNode(doc_iri)}")

    def bulk_load(self, source: str | Path | BinaryIO | bytes) -> None:
        """Stream N-Quads (a path, bytes or a binary stream) to the server's Graph Store endpoint.

        Not atomic (the server may use its bulk loader); load the same data again to finish.

        Raises:
            InputError: if the server rejects the data as invalid N-Quads.
        """
        self._writable()
        url = self.store_url + ("?no_transaction" if self._oxigraph else "")
        headers = {"Content-Type": _NQUADS}
        try:
            if isinstance(source, (str, Path)):
                with open(source, "rb") as fh:
                    self._post_body(url, fh, headers, os.fstat(fh.fileno()).st_size, str(source))
            elif isinstance(source, bytes):
                self._post_body(url, source, headers, len(source), "N-Quads input")
            else:
                data = source.read()
                self._post_body(url, data, headers, len(data), "N-Quads input")
        except OSError as e:  # the local file (HTTP errors are StoreError by now)
            raise InputError(f"cannot read: {e.strerror or e}", source=str(source)) from None

    def _post_body(self, url: str, body, headers: dict[str, str], length: int, where: str) -> None:
        try:
            with self._request(url, data=body, headers=headers, method="POST", length=length):
                pass
        except QueryError as e:
            raise InputError(f"the server rejected the N-Quads: {e}", source=where) from None

    # -- reading -----------------------------------------------------------------------------

    def has_document_hash(self, content_hash: str) -> bool:
        """True when a document with this content hash is on the server."""
        return bool(self.query(HAS_HASH_QUERY, {"hash": ox.Literal(content_hash)}).rows[0][0])

    def documents_with_file(self, file: str) -> list[str]:
        """The IRIs of the stored documents whose ``kg:fileName`` is ``file``."""
        return [g for g, _ in self.query(SAME_FILE_QUERY, {"file": ox.Literal(file)}).rows]

    def is_pending(self, graph: str) -> bool:
        """True when the derived named graph ``graph`` carries its ``kg:updatePending`` marker
        (see :meth:`kg.store.Store.is_pending`)."""
        g = ox.NamedNode(graph)
        return bool(self.query(f"ASK {{ GRAPH {g} {{ {g} {node(KG.updatePending)} true }} }}").rows[0][0])

    def set_pending(self, graph: str, pending: bool) -> None:
        """Add or remove the ``kg:updatePending`` marker of a derived named graph."""
        g = ox.NamedNode(graph)
        self._update(f"{'INSERT' if pending else 'DELETE'} DATA {{ GRAPH {g} {{ {g} {node(KG.updatePending)} true }} }}")

    def written(self, quads: int) -> None:
        """Nothing to do: the server manages its own buffers."""

    def stream(self, sparql: str) -> Iterator[dict[str, object]]:
        """The solutions of a SELECT as dicts (the server's answer is read whole)."""
        yield from self.query(sparql).dicts()

    def documents(self) -> list[dict[str, str]]:
        """One record per stored document: ``{"iri", "file", "hash"}``, ordered by file name."""
        return self.query(DOCUMENTS_QUERY).dicts()

    def query(self, sparql: str, bindings: dict[str, object] | None = None, *,
              limit: int | None = None) -> QueryResult:
        """Run a SPARQL query on the server; ``bindings`` and ``limit`` as in :meth:`kg.store.Store.query`.

        Raises:
            QueryError: if the query is malformed (the server says 400) or a value cannot be bound.
        """
        terms = {k.lstrip("?$"): to_term(v) for k, v in (bindings or {}).items()}
        text = self._prologue + sparql
        if terms:
            text = inject_values(text, terms)
        params = {"query": text}
        url = self.query_url + "?" + urllib.parse.urlencode(params) + ("&union-default-graph" if self._oxigraph else "")
        accept = f"{_JSON}, application/sparql-results+xml;q=0.5, application/n-triples;q=0.9"
        if len(url) > 6000:  # long queries go as a POST body
            with self._request(self.query_url + ("?union-default-graph" if self._oxigraph else ""),
                               data=text.encode("utf-8"),
                               headers={"Content-Type": "application/sparql-query", "Accept": accept}) as r:
                return _result(r.headers.get_content_type(), r.read(), limit)
        with self._request(url, headers={"Accept": accept}) as r:
            return _result(r.headers.get_content_type(), r.read(), limit)

    def __iter__(self) -> Iterator[ox.Quad]:
        """Every quad on the server (streamed from the Graph Store endpoint as N-Quads)."""
        with self._request(self.store_url, headers={"Accept": _NQUADS}) as r:
            yield from ox.parse(r, format=ox.RdfFormat.N_QUADS)

    def serialize(self, fmt: str, out: BinaryIO) -> None:
        """Write the data as ``turtle`` (union of all graphs), ``trig``, ``nquads`` or ``jsonld``.

        Raises:
            UsageError: for another format name.
        """
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        if fmt == "turtle":
            triples = self._construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            ox.serialize(triples, out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        elif fmt == "nquads":
            with self._request(self.store_url, headers={"Accept": _NQUADS}) as r:
                while block := r.read(1 << 20):
                    out.write(block)
        else:
            prefixes = PREFIXES if fmt == "trig" else None
            ox.serialize(iter(self), out, FORMATS[fmt], prefixes=prefixes)

    def _construct(self, sparql: str) -> Iterator[ox.Triple]:
        url = self.query_url + "?" + urllib.parse.urlencode({"query": sparql})
        with self._request(url, headers={"Accept": "application/n-triples"}) as r:
            yield from ox.parse(r, format=ox.RdfFormat.N_TRIPLES)

    def dumps(self, fmt: str) -> bytes:
        """:meth:`serialize` into bytes."""
        buf = io.BytesIO()
        self.serialize(fmt, buf)
        return buf.getvalue()

    def stats(self) -> dict[str, object]:
        """The counts of :meth:`kg.store.Store.stats`, with the same keys."""
        triples = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0]
        counts = self.query(STATS_QUERY).dicts()[0]
        return {"path": self.url, "documents": counts.pop("documents"), "triples": triples, **counts}

    def rdflib_dataset(self):
        """An ``rdflib.Dataset`` backed by the server (rdflib's SPARQLUpdateStore)."""
        import rdflib
        from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

        store = SPARQLUpdateStore(query_endpoint=self.query_url, update_endpoint=self.update_url)
        return rdflib.Dataset(store=store)


def _result(content_type: str, data: bytes, limit: int | None = None) -> QueryResult:
    result = _parse_result(content_type, data)
    if limit is not None and len(result.rows) > limit:
        result.rows = result.rows[:limit]
        if "truncated" in QueryResult.__dataclass_fields__:
            result.truncated = True
    return result


def _parse_result(content_type: str, data: bytes) -> QueryResult:
    if content_type in ("application/n-triples", "text/turtle"):
        fmt = ox.RdfFormat.N_TRIPLES if content_type == "application/n-triples" else ox.RdfFormat.TURTLE
        return QueryResult(("subject", "predicate", "object"),
                           [(to_python(t.subject), to_python(t.predicate), to_python(t.object))
                            for t in ox.parse(data, format=fmt)])
    fmt = ox.QueryResultsFormat.XML if content_type.endswith("xml") else ox.QueryResultsFormat.JSON
    result = ox.parse_query_results(data, format=fmt)
    if isinstance(result, ox.QuerySolutions):
        names = tuple(v.value for v in result.variables)
        return QueryResult(names, [tuple(to_python(s[n]) for n in names) for s in result])
    return QueryResult(("result",), [(bool(result),)])


# -- VALUES injection --------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*                                  # comment
        |'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"   # long strings
        |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"            # strings
        |<[^<>"{}|^`\\\s]*>)                                # IRIs
      |(?P<where>\bWHERE\b)
      |(?P<select>\bSELECT\b)
      |(?P<brace>\{)""",
    re.IGNORECASE | re.VERBOSE,
)


def inject_values(sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """``sparql`` with ``VALUES (?a ?b) { (t1 t2) }`` as the first element of its WHERE clause.

    The terms are written by pyoxigraph in N-Triples syntax (escaped), so a value can never
    change the query's structure. A query without a WHERE group gets a trailing VALUES.

    >>> inject_values('SELECT ?x WHERE { ?x ?p ?n }', {"n": ox.Literal('a"} DROP ALL')})
    'SELECT ?x WHERE { VALUES (?n) { ("a\\\\"} DROP ALL") } ?x ?p ?n }'

    Raises:
        QueryError: for a blank node or a bad variable name.
    """
    names, terms = [], []
    for name, term in bindings.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"bad variable name {name!r} in bindings")
        if isinstance(term, ox.BlankNode):
            raise QueryError(f"cannot bind ?{name} to a blank node on a remote store")
        names.append(f"?{name}")
        terms.append(str(term))
    block = _values_block(names, terms)
    sparql = _inject_subselects(sparql, dict(zip(names, terms)))
    seen_where = False
    first_brace = None
    for m in _TOKEN.finditer(sparql):
        if m.group("where"):
            seen_where = True
        elif m.group("brace"):
            if seen_where:
                return f"{sparql[:m.end()]} {block}{sparql[m.end():]}"
            if first_brace is None:
                first_brace = m
    if first_brace is not None and not re.search(r"\b(CONSTRUCT|DESCRIBE)\b", sparql, re.IGNORECASE):
        # SELECT/ASK without the WHERE keyword: the first group is the pattern.
        return f"{sparql[:first_brace.end()]} {block}{sparql[first_brace.end():]}"
    return f"{sparql}\n{block}"


def _inject_subselects(sparql: str, values: dict[str, str]) -> str:
    """``sparql`` with a VALUES block of the bound variables that each sub-select projects as
    the first element of that sub-select's WHERE group.

    The query's VALUES joins at the top, after the sub-selects are evaluated; pyoxigraph's
    substitution binds a variable inside them too, and the named queries are shaped for that
    (a sub-select looks its parameter up by index). Binding a projected variable inside the
    sub-select to the same value gives the same result (the outer join keeps only those rows),
    so the queries keep their index lookups on a server. Variables inside parenthesized
    expressions of the projection (aggregates, ``AS`` aliases) are not bound.

    >>> _inject_subselects('SELECT ?a WHERE { { SELECT ?x ?n WHERE { ?x ?p ?n } } }', {"?n": '"v"'})
    'SELECT ?a WHERE { { SELECT ?x ?n WHERE { VALUES (?n) { ("v") } ?x ?p ?n } } }'
    """
    inserts: list[tuple[int, str]] = []
    tokens = list(_TOKEN.finditer(sparql))
    top = True  # the first SELECT before any group is the query itself
    for i, m in enumerate(tokens):
        if m.group("brace"):
            top = False
        if not m.group("select"):
            continue
        if top:
            top = False
            continue
        after = tokens[i + 1:]
        j = next((k for k, t in enumerate(after) if t.group("where") or t.group("brace")), None)
        brace = None if j is None else next((t for t in after[j:] if t.group("brace")), None)
        if brace is None:
            continue
        projection = sparql[m.end():after[j].start()]
        while re.search(r"\([^()]*\)", projection):
            projection = re.sub(r"\([^()]*\)", " ", projection)
        projected = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", projection))
        star = "*" in projection
        bound = [(n, t) for n, t in values.items() if star or n[1:] in projected]
        if bound:
            inserts.append((brace.end(), " " + _values_block([n for n, _ in bound], [t for _, t in bound])))
    for pos, text in reversed(inserts):
        sparql = sparql[:pos] + text + sparql[pos:]
    return sparql


def _values_block(names: list[str], terms: list[str]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` of variable names and serialized terms."""
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"
