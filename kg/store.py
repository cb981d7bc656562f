"""The embedded default store: pyoxigraph (RocksDB) on disk, one named graph per document.

Layout of a store directory::

    <path>/kg.lock     held by the one writer (filelock)
    <path>/oxigraph/   the pyoxigraph data

One writer at a time: a second writer waits ``lock_timeout`` seconds, then gets a
StoreError. Readers open read-only and do not take the lock.

>>> import tempfile, pyoxigraph as ox
>>> with tempfile.TemporaryDirectory() as tmp, Store.open(tmp) as store:
...     g = "https://w3id.org/kg-vn/doc/" + "0" * 64
...     q = ox.Quad(ox.NamedNode(g), ox.NamedNode("https://schema.org/name"), ox.Literal("x"), ox.NamedNode(g))
...     store.put_document(g, [q])
...     store.query("SELECT ?n WHERE { GRAPH ?g { ?s ?p ?n } }").rows
[('x',)]
"""

from __future__ import annotations

import io
import itertools
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import pyoxigraph as ox
from filelock import FileLock, Timeout
from rdflib.namespace import XSD

from kg.errors import InputError, QueryError, StoreError, UsageError
from kg.vocab import KG, PREFIXES, node

DATA_DIR = "oxigraph"
LOCK_FILE = "kg.lock"
#: Quads written between two flushes of the store's write buffers (see :meth:`Store.written`).
FLUSH_QUADS = 400_000

#: Serialization formats: name -> pyoxigraph format.
FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}

#: The counts of :meth:`Store.stats` (besides the number of triples).
STATS_QUERY = (f"SELECT (COUNT(DISTINCT ?d) AS ?documents) (COUNT(DISTINCT ?p) AS ?persons) "
               f"(COUNT(DISTINCT ?h) AS ?holdings) (COUNT(DISTINCT ?e) AS ?events) "
               f"(COUNT(DISTINCT ?o) AS ?organizations) WHERE {{ GRAPH ?g {{ "
               f"{{ ?d a <{KG.Document}> FILTER(?d = ?g) }} UNION {{ ?p a <{KG.Person}> }} UNION "
               f"{{ ?h a <{KG.Holding}> }} UNION {{ ?e a <{KG.Event}> }} UNION {{ ?o a <{KG.Organization}> }} }} }}")
#: One record per stored document (see :meth:`Store.documents`).
DOCUMENTS_QUERY = (f"SELECT ?iri ?file ?hash WHERE {{ GRAPH ?iri {{ ?iri a <{KG.Document}> ; "
                   f"<{KG.fileName}> ?file ; <{KG.contentHash}> ?hash }} }} ORDER BY ?file ?iri")
HAS_HASH_QUERY = f"ASK {{ GRAPH ?g {{ ?g a <{KG.Document}> ; <{KG.contentHash}> ?hash }} }}"
#: The documents stored under one file name (binding ``?file``).
SAME_FILE_QUERY = f"SELECT ?g ?file WHERE {{ GRAPH ?g {{ ?g a <{KG.Document}> ; <{KG.fileName}> ?file }} }}"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DOCUMENT = node(KG.Document)


@dataclass
class QueryResult:
    """Rows of Python values. SELECT: one tuple per solution, in ``vars`` order (None when
    unbound). ASK: ``vars == ("result",)`` and one row ``(bool,)``. CONSTRUCT/DESCRIBE:
    ``vars == ("subject", "predicate", "object")``, one row per triple."""

    vars: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    truncated: bool = False  # True when ``limit`` rows were kept and more were available

    def dicts(self) -> list[dict[str, object]]:
        return [dict(zip(self.vars, row)) for row in self.rows]


class Store:
    """A kg store directory. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, path: Path, inner: ox.Store, lock: FileLock | None, read_only: bool):
        self.path = path
        self._inner = inner
        self._lock = lock
        self.read_only = read_only
        self._unflushed = 0  # quads written since the last flush of RocksDB's write buffers

    # -- opening and closing ---------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, lock_timeout: float = 2.0) -> Store:
        """Open (and for a writer, create) the store at ``path``.

        Raises:
            StoreError: if ``path`` is a file or another program's folder, cannot be written,
                is locked by another writer, or holds damaged data.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise StoreError("is a file, not a store folder; give a folder path", source=str(path))
        data = path / DATA_DIR
        if path.is_dir() and not data.exists() and any(p.name != LOCK_FILE for p in path.iterdir()):
            raise StoreError("is a non-empty folder that is not a kg store; give a new or empty folder",
                             source=str(path))
        if read_only:
            if not data.is_dir():
                raise StoreError("no store here; run `kg ingest` first", source=str(path))
            return cls(path, _open_inner(data, read_only=True), None, True)
        try:
            path.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(path / LOCK_FILE), timeout=lock_timeout)
            lock.acquire()
        except Timeout:
            raise StoreError(f"is in use by another kg process (waited {lock_timeout:g} s); wait for it to finish",
                             source=str(path)) from None
        except OSError as e:
            raise StoreError(f"cannot write here ({e.strerror or e}); check the path and its permissions",
                             source=str(path)) from None
        try:
            inner = _open_inner(data, read_only=False)
        except StoreError:
            lock.release()
            raise
        return cls(path, inner, lock, False)

    def close(self) -> None:
        """Flush and release the store (and the writer's lock). Safe to call twice."""
        if self._inner is None:
            return
        self._inner = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def inner(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        if self._inner is None:
            raise StoreError("store is closed", source=str(self.path))
        return self._inner

    # -- writing ---------------------------------------------------------------------------

    def put_document(self, doc_iri: str, quads: Iterable[ox.Quad]) -> None:
        """Replace the named graph ``doc_iri`` with ``quads``, atomically (one transaction).

        The graph names of ``quads`` are ignored: all go into ``doc_iri``.
        """
        self.put_documents([(doc_iri, quads)])

    def put_documents(self, docs: Iterable[tuple[str, Iterable[ox.Quad] | bytes]], *, drop: Iterable[str] = ()) -> None:
        """Replace several documents' named graphs in ONE transaction: all or nothing.

        Each ``(doc_iri, quads)`` replaces the graph ``doc_iri``; the graphs named in ``drop``
        (e.g. an older version of an edited article) are removed in the same transaction.
        ``quads`` may also be N-Quads bytes whose quads are all in the graph ``doc_iri`` (as
        ``kg.pipeline.process(..., as_nquads=True)`` writes them), loaded without turning
        them into Python objects. When none of these graphs exists yet, the data is added
        with a fast transactional insert instead of a SPARQL update.

        Raises:
            InputError: if N-Quads bytes do not parse.
            StoreError: if the store cannot be written.
        """
        self._writable()
        docs = [(ox.NamedNode(iri), quads if isinstance(quads, bytes) else list(quads)) for iri, quads in docs]
        gone = [ox.NamedNode(iri) for iri in drop]
        inner = self.inner
        try:
            if not any(inner.contains_named_graph(g) for g in [*gone, *(g for g, _ in docs)]):
                if docs and all(isinstance(quads, bytes) for _, quads in docs):
                    inner.load(b"".join(quads for _, quads in docs), format=ox.RdfFormat.N_QUADS)
                else:
                    inner.extend(ox.Quad(q.subject, q.predicate, q.object, g)
                                 for g, quads in docs for q in as_quads(quads))
            else:
                inner.update(replace_update([(g, as_quads(quads)) for g, quads in docs], drop=gone))
            self.written(sum(len(q) // 120 if isinstance(q, bytes) else len(q) for _, q in docs))
        except SyntaxError as e:
            raise InputError(f"not valid N-Quads: {_first_line(e)}", source=docs[0][0].value) from None
        except OSError as e:
            names = ", ".join(g.value for g, _ in docs[:3])
            raise StoreError(f"cannot write document {names}: {_first_line(e)}", source=str(self.path)) from None

    def clear_graph(self, graph: str, *, batch: int = 20_000) -> None:
        """Delete every quad of the named graph ``graph`` but its ``kg:updatePending`` marker,
        ``batch`` quads per transaction (one transaction for millions of quads would hold
        them all in memory)."""
        self._writable()
        inner, g, marker = self.inner, ox.NamedNode(graph), _pending_quad(graph)
        while True:
            chunk = [q for q in itertools.islice(inner.quads_for_pattern(None, None, None, g), batch + 1)
                     if q != marker][:batch]
            if not chunk:
                return
            try:
                inner.update(f"DELETE DATA {{ GRAPH {g} {{\n" +
                             "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in chunk) + "\n} }")
            except OSError as e:
                raise StoreError(f"cannot clear {graph}: {_first_line(e)}", source=str(self.path)) from None
            self.written(len(chunk))

    def written(self, quads: int) -> None:
        """Count ``quads`` written; past :data:`FLUSH_QUADS` since the last time, flush the
        store's write buffers to disk. RocksDB keeps what was written in memory buffers (one per
        index) that otherwise grow with the store: about 1.2 GiB after 10,000 articles; flushed
        every ~400k quads the writer stays near 260 MiB."""
        self._unflushed += quads
        if self._unflushed >= FLUSH_QUADS:
            self._unflushed = 0
            try:
                self.inner.flush()
            except OSError as e:
                raise StoreError(f"cannot write: {_first_line(e)}", source=str(self.path)) from None

    def bulk_load(self, source: str | Path | BinaryIO | bytes) -> None:
        """Load N-Quads (a file path, bytes or a binary stream) with the bulk loader.

        Much faster than :meth:`put_documents` for millions of quads, but NOT atomic: an
        interrupted load leaves part of the data; load the same shards again to finish.

        Raises:
            InputError: if the data is not valid N-Quads.
        """
        self._writable()
        try:
            if isinstance(source, (str, Path)):
                self.inner.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
            else:
                self.inner.bulk_load(source, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as e:
            where = str(source) if isinstance(source, (str, Path)) else "N-Quads input"
            raise InputError(f"not valid N-Quads: {_first_line(e)}", source=where) from None
        except OSError as e:
            raise StoreError(f"cannot load: {_first_line(e)}", source=str(self.path)) from None

    def remove_document(self, doc_iri: str) -> None:
        """Remove a document's named graph (no error when it is absent)."""
        self._writable()
        self.inner.update(f"DROP SILENT GRAPH {ox.NamedNode(doc_iri)}")

    def has_document_hash(self, content_hash: str) -> bool:
        """True when a document with this content hash is in the store (so it can be skipped).

        The answer of :data:`HAS_HASH_QUERY`, read from the object index (one lookup, not a
        query per document).
        """
        return bool(self._documents_with(KG.contentHash, content_hash, limit=1))

    def documents_with_file(self, file: str) -> list[str]:
        """The IRIs of the stored documents whose ``kg:fileName`` is ``file`` (an edited
        article's older versions), by an index lookup."""
        return self._documents_with(KG.fileName, file)

    def _documents_with(self, predicate, value: str, *, limit: int | None = None) -> list[str]:
        """Document graphs ``?g`` holding ``?g a kg:Document ; <predicate> "value"``."""
        inner, out = self.inner, []
        pattern = inner.quads_for_pattern(None, node(predicate), ox.Literal(value), None)
        for q in pattern:
            g = q.graph_name
            if isinstance(g, ox.NamedNode) and q.subject == g and g.value not in out and \
                    next(inner.quads_for_pattern(g, _RDF_TYPE, _DOCUMENT, g), None) is not None:
                out.append(g.value)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def documents(self) -> list[dict[str, str]]:
        """One record per stored document: ``{"iri", "file", "hash"}``, ordered by file name."""
        return self.query(DOCUMENTS_QUERY).dicts()

    def is_pending(self, graph: str) -> bool:
        """True when the derived named graph ``graph`` (resolution, aggregates) carries its
        ``kg:updatePending`` marker: a rewrite of it, or a write of the documents it derives
        from, began and did not finish."""
        return next(self.inner.quads_for_pattern(*_pending_quad(graph)), None) is not None

    def set_pending(self, graph: str, pending: bool) -> None:
        """Add (``pending``) or remove the ``kg:updatePending`` marker of a derived named graph,
        in a transaction of its own."""
        self._writable()
        try:
            (self.inner.add if pending else self.inner.remove)(_pending_quad(graph))
        except OSError as e:
            raise StoreError(f"cannot write {graph}: {_first_line(e)}", source=str(self.path)) from None

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("store is opened read-only; open it without read_only to write",
                             source=str(self.path))

    # -- reading ---------------------------------------------------------------------------

    def query(self, sparql: str, bindings: dict[str, object] | None = None, *,
              limit: int | None = None) -> QueryResult:
        """Run a SPARQL query; ``bindings`` fix variables (SEP-0007 substitution, never text).

        The default graph is the union of all named graphs. A bound variable must be in the
        SELECT clause (pyoxigraph's substitution works on projected variables). Binding values: pyoxigraph and
        rdflib terms as they are; ``str`` that is an absolute http(s)/urn IRI becomes an IRI,
        any other ``str`` a plain literal; int, float and bool become typed literals.
        ``limit`` keeps at most that many rows (the rest are never read) and sets
        ``truncated`` when there were more.

        Raises:
            QueryError: if the query is malformed or a binding value cannot be used.
        """
        subs = {ox.Variable(k.lstrip("?$")): to_term(v) for k, v in (bindings or {}).items()}
        try:
            result = self.inner.query(sparql, substitutions=subs or None,
                                      use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as e:
            if _UPDATE.match(sparql):
                raise QueryError("this is a SPARQL update; queries here only read (use `kg ingest` or "
                                 "`kg remove` to change the graph)") from None
            raise QueryError(f"malformed SPARQL: {_syntax_message(e)}") from None
        except (ValueError, TypeError, RuntimeError) as e:
            # e.g. a bound variable that the SELECT clause does not project (pyoxigraph needs it there)
            raise QueryError(f"cannot run query: {_first_line(e)}") from None
        except OSError as e:
            raise StoreError(f"cannot read: {_first_line(e)}", source=str(self.path)) from None
        if isinstance(result, ox.QuerySolutions):
            names = tuple(v.value for v in result.variables)
            rows = (tuple(map(to_python, s)) for s in result)  # a solution iterates in ``names`` order
            return _collect(names, rows, limit=limit, where=str(self.path))
        if isinstance(result, ox.QueryTriples):
            rows = ((to_python(t.subject), to_python(t.predicate), to_python(t.object)) for t in result)
            return _collect(("subject", "predicate", "object"), rows, limit=limit, where=str(self.path))
        return QueryResult(("result",), [(bool(result),)])

    def stream(self, sparql: str) -> Iterator[dict[str, object]]:
        """The solutions of a SELECT query as dicts (values as in :meth:`query`), read one by
        one instead of collected into a list: for reading every row of a large store."""
        try:
            result = self.inner.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
            names = tuple(v.value for v in result.variables)
            for solution in result:
                yield dict(zip(names, map(to_python, solution)))
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL: {_syntax_message(e)}") from None
        except OSError as e:
            raise StoreError(f"cannot read: {_first_line(e)}", source=str(self.path)) from None

    def serialize(self, fmt: str, out: BinaryIO) -> None:
        """Write the store as ``turtle`` (union of all graphs), ``trig``, ``nquads`` or ``jsonld``.

        Raises:
            UsageError: for another format name.
        """
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        if fmt == "turtle":
            triples = self.inner.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            ox.serialize(triples, out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        else:
            prefixes = PREFIXES if FORMATS[fmt] in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE) else None
            self.inner.dump(out, FORMATS[fmt], prefixes=prefixes)

    def dumps(self, fmt: str) -> bytes:
        """:meth:`serialize` into bytes."""
        buf = io.BytesIO()
        self.serialize(fmt, buf)
        return buf.getvalue()

    def stats(self) -> dict[str, object]:
        """Counts: documents, triples (quads in all named graphs), persons, holdings, events,
        organizations."""
        result = self.query(STATS_QUERY).dicts()[0]
        return {"path": str(self.path), "documents": result["documents"], "triples": len(self.inner),
                **{k: result[k] for k in ("persons", "holdings", "events", "organizations")}}

    def rdflib_dataset(self):
        """An ``rdflib.Dataset`` over the same data (oxrdflib), for rdflib-based tools."""
        import rdflib
        from oxrdflib import OxigraphStore

        return rdflib.Dataset(store=OxigraphStore(store=self.inner))


def _pending_quad(graph: str) -> ox.Quad:
    g = ox.NamedNode(graph)
    return ox.Quad(g, node(KG.updatePending), ox.Literal(True), g)


def _collect(names: tuple[str, ...], rows, *, limit: int | None, where: str) -> QueryResult:
    """Read up to ``limit`` rows of a lazy result (all when None)."""
    import itertools

    try:
        if limit is None:
            return QueryResult(names, list(rows))
        kept = list(itertools.islice(rows, limit + 1))
    except OSError as e:
        raise StoreError(f"cannot read: {_first_line(e)}", source=where) from None
    except (ValueError, TypeError, RuntimeError) as e:  # evaluation errors surface while iterating
        raise QueryError(f"cannot run query: {_first_line(e)}") from None
    return QueryResult(names, kept[:limit], truncated=len(kept) > limit)


def as_quads(quads: Iterable[ox.Quad] | bytes) -> list[ox.Quad]:
    """Quads given as quads or as N-Quads bytes, as a list of quads."""
    if isinstance(quads, bytes):
        return list(ox.parse(quads, format=ox.RdfFormat.N_QUADS))
    return list(quads)


def replace_update(docs: list[tuple[ox.NamedNode, list[ox.Quad]]], *, drop: Iterable[ox.NamedNode] = ()) -> str:
    """One SPARQL UPDATE that drops the graphs of ``docs`` and ``drop`` and inserts ``docs``.

    Terms are written by pyoxigraph (N-Triples syntax, properly escaped), never pasted text.
    """
    parts = [f"DROP SILENT GRAPH {g}" for g in [*drop, *(g for g, _ in docs)]]
    body = "\n".join(
        f"GRAPH {g} {{\n" + "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads) + "\n}"
        for g, quads in docs if quads)
    if body:
        parts.append(f"INSERT DATA {{\n{body}\n}}")
    return " ;\n".join(parts)


def is_remote(location: str | Path) -> bool:
    """True when ``location`` is an http(s) URL of a SPARQL endpoint rather than a folder."""
    return str(location).startswith(("http://", "https://"))


def open_store(location: str | Path, *, read_only: bool = False, lock_timeout: float = 2.0):
    """Open a store folder (:class:`Store`) or an http(s) SPARQL endpoint (:class:`kg.remote.RemoteStore`).

    Both have the same interface, so ingest, query and export run unchanged against either.

    Raises:
        StoreError: if the store cannot be opened or the endpoint does not answer.
    """
    if is_remote(location):
        from kg.remote import RemoteStore

        return RemoteStore.open(str(location), read_only=read_only)
    return Store.open(location, read_only=read_only, lock_timeout=lock_timeout)


def _open_inner(data: Path, *, read_only: bool) -> ox.Store:
    """Open the pyoxigraph data. A reader retries a few times: a writer's background
    compaction may remove files while the reader opens its snapshot."""
    attempts = 6 if read_only else 1
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(data)) if read_only else ox.Store(str(data))
        except (OSError, RuntimeError) as e:
            error: Exception = e
            if attempt + 1 < attempts:
                time.sleep(0.05 * 2**attempt)
    raise StoreError(f"cannot open store data ({_first_line(error)}); if it is damaged, move it "
                     "away and ingest again", source=str(data.parent)) from None


_UPDATE = re.compile(r"\s*(?:(?:PREFIX|BASE)\s[^\n]*\n\s*|#[^\n]*\n\s*)*"
                     r"(?:INSERT|DELETE|DROP|CLEAR|LOAD|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)


def _syntax_message(e: SyntaxError) -> str:
    """The parser's first line, its list of expected tokens cut short."""
    text = _first_line(e)
    head, sep, expected = text.partition("expected one of ")
    if sep and len(expected) > 60:
        expected = expected[:60].rsplit(",", 1)[0] + ", ..."
    return head + sep + expected


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def to_term(value: object) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """A Python, rdflib or pyoxigraph value as a pyoxigraph term (see :meth:`Store.query`).

    >>> to_term("https://w3id.org/kg-vn/person/x")
    <NamedNode value=https://w3id.org/kg-vn/person/x>
    >>> to_term(3)
    <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    import rdflib

    if isinstance(value, rdflib.URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, rdflib.Literal):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    if isinstance(value, bool):
        return ox.Literal(value)
    if isinstance(value, (int, float)):
        return ox.Literal(value)
    if isinstance(value, str):
        if value.startswith(("http://", "https://", "urn:")) and not any(c in value for c in ' <>"{}|\\^`'):
            return ox.NamedNode(value)
        return ox.Literal(value)
    raise QueryError(f"cannot bind a value of type {type(value).__name__}; use str, int, float or an IRI")


_NUMERIC = {str(XSD.integer): int, str(XSD.int): int, str(XSD.long): int, str(XSD.nonNegativeInteger): int,
            str(XSD.decimal): float, str(XSD.double): float, str(XSD.float): float}


_XSD_STRING = str(XSD.string)


def to_python(term) -> object:
    """A pyoxigraph term as a Python value: IRI -> str, number -> int/float, boolean -> bool,
    other literals -> their lexical form, blank node -> ``"_:id"``, unbound -> None."""
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return term.value
    if kind is ox.Literal and term.datatype.value == _XSD_STRING:  # the common case, first
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt in _NUMERIC:
            try:
                return _NUMERIC[dt](term.value)
            except ValueError:
                return term.value
        if dt == str(XSD.boolean):
            return term.value in ("true", "1")
        return term.value
    return str(term)
