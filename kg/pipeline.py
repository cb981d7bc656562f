"""The only module that chains the stages:

    paths -> Document (kg.ingest) -> Text (kg.normalize) -> Facts (kg.extract)
          -> quads (kg.rdf) -> Store.put_document

One document goes into the store whole or not at all. A document that fails is recorded
in the report (its source and a one-line problem) and the others continue. Documents
whose content hash is already stored are skipped unless ``force``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from kg.aggregates import has_aggregates, touched_by
from kg.aggregates import rebuild as rebuild_aggregates
from kg.rankings import has_rankings
from kg.errors import KGError, StoreError
from kg.extract import extract
from kg.ingest import Entry, read_paths
from kg.model import Document
from kg.normalize import normalize
from kg.rdf import facts_to_quads
from kg.resolve import has_resolution
from kg.resolve import resolve as run_resolve
from kg.vocab import AGGREGATES_GRAPH, RANKINGS_GRAPH, RESOLUTION_GRAPH

__all__ = ["IngestReport", "Processed", "ingest", "process", "process_parallel", "remove"]

#: Called once per entry: ``progress(status, source)`` with status one of
#: "ingested", "unchanged", "failed", "skipped".
Progress = Callable[[str, str], None]


@dataclass
class IngestReport:
    """What one ``ingest`` run did."""

    documents: int = 0  # documents stored in this run
    unchanged: int = 0  # documents skipped because their content is already stored
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, problem)
    files_skipped: int = 0  # files not read (extension, hidden, not regular)
    persons: int = 0
    holdings: int = 0
    events: int = 0
    triples: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds of "resolution", "aggregates"
    rankings_stale: bool = False  # the store's precomputed rankings (kg.rankings) are out of date now
    resolution: object = None  # kg.resolve.ResolveReport of the resolution run after storing

    @property
    def usable(self) -> bool:
        """True when at least one document was stored or was already stored."""
        return self.documents + self.unchanged > 0

    def summary(self) -> str:
        """One line: documents, persons, holdings, events, triples, seconds."""
        extra = []
        if self.unchanged:
            extra.append(f"{self.unchanged} unchanged")
        if self.failed:
            extra.append(f"{len(self.failed)} failed")
        if self.files_skipped:
            extra.append(f"{self.files_skipped} other files skipped")
        more = f" ({', '.join(extra)})" if extra else ""
        # where the time went: the documents (reading, extraction, storing), then the store-level graphs
        documents = self.seconds - sum(self.phases.values())
        phases = ", ".join([f"documents {documents:.1f} s"] + [f"{k} {v:.1f} s" for k, v in self.phases.items()])
        return (
            f"{self.documents} documents{more}, {self.persons} persons, "
            f"{self.holdings} holdings, {self.events} events, {self.triples} triples "
            f"in {self.seconds:.1f} s" + (f" ({phases})" if self.phases else "")
        )


@dataclass(frozen=True)
class Processed:
    """A document turned into RDF, ready to store (or the problem that stopped it).

    ``quads`` holds the quads; results from worker processes carry them as N-Quads text in
    ``nquads`` instead (ten times cheaper to send between processes than pickled quads).
    """

    source: str
    doc_iri: str | None = None
    quads: tuple = ()
    persons: int = 0
    holdings: int = 0
    events: int = 0
    problem: str | None = None
    doc_id: str | None = None
    nquads: bytes = b""
    triples: int = 0

    def quad_list(self) -> list:
        """The quads, parsed from ``nquads`` when they came from a worker."""
        if self.quads or not self.nquads:
            return list(self.quads)
        import pyoxigraph as ox

        return list(ox.parse(self.nquads, format=ox.RdfFormat.N_QUADS))

    def payload(self):
        """What ``Store.put_documents`` takes for this document: the N-Quads bytes when it
        came from a worker (loaded as they are), else the quads."""
        return self.nquads if self.nquads and not self.quads else self.quads


def _problem(exc: BaseException) -> str:
    """One line describing ``exc`` without the source prefix KGError adds."""
    if isinstance(exc, KGError):
        msg = str(exc)
        if exc.source and msg.startswith(f"{exc.source}: "):
            msg = msg[len(exc.source) + 2 :]
    else:
        msg = f"internal error ({type(exc).__name__}: {exc}); please report it"
    return " ".join(msg.split()) or type(exc).__name__


def process(doc: Document, *, source: str = "", ingested_at: str | None = None, as_nquads: bool = False) -> Processed:
    """Normalize, extract and build the quads of one document. Never raises a KGError.

    ``ingested_at`` (ISO date-time) is recorded as the document's ``prov:generatedAtTime``
    (default: now); fixing it makes the result a pure function of the document.
    ``as_nquads`` returns the quads as N-Quads bytes in ``nquads`` instead of ``quads``.
    """
    source = source or doc.source or doc.doc_id
    try:
        text = normalize(doc)
        facts = extract(text)
        if ingested_at:
            facts = replace(facts, meta={**facts.meta, "ingested_at": ingested_at})
        doc_iri, quads = facts_to_quads(facts)
        data = b""
        if as_nquads:
            import pyoxigraph as ox

            data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    except Exception as exc:  # one bad document must not stop the others
        return Processed(source, problem=_problem(exc), doc_id=doc.doc_id)
    return Processed(
        source,
        doc_iri=str(doc_iri),
        quads=() if as_nquads else tuple(quads),
        persons=len(facts.persons),
        holdings=len(facts.holdings),
        events=len(facts.events),
        doc_id=doc.doc_id,
        nquads=data,
        triples=len(quads),
    )


def _process_chunk(entries: list[Entry], ingested_at: str | None) -> list[Processed]:
    """Worker side: one chunk of entries -> results as N-Quads (picklable, compact)."""
    return [process(e.document, source=e.source, ingested_at=ingested_at, as_nquads=True) for e in entries]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def process_parallel(
    entries: Iterable[Entry], *, jobs: int, ingested_at: str | None = None, chunk_size: int = 8
) -> Iterator[Processed]:
    """Process ``entries`` in ``jobs`` worker processes; yield the results in input order.

    Memory stays bounded: entries are read lazily, in chunks of ``chunk_size``, and at most
    ``3 * jobs`` chunks are in flight. A worker that dies turns its chunk into failures.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else None)
    window = 3 * jobs
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque = deque()
        for chunk in _chunks(entries, chunk_size):
            pending.append((chunk, pool.submit(_process_chunk, chunk, ingested_at)))
            if len(pending) >= window:
                yield from _chunk_results(*pending.popleft())
        while pending:
            yield from _chunk_results(*pending.popleft())


def _chunk_results(chunk: list[Entry], future) -> list[Processed]:
    try:
        return future.result()
    except Exception as exc:  # a worker died (e.g. out of memory)
        return [Processed(e.source, problem=_problem(exc), doc_id=e.document.doc_id) for e in chunk]


def ingest(
    paths: Iterable[str],
    *,
    store,
    force: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    batch_size: int = 32,
    ingested_at: str | None = None,
    resolve: bool = True,
) -> IngestReport:
    """Read ``paths`` and put every new document into ``store``.

    Incremental: a document whose content hash is stored is skipped (unless ``force``); a
    document whose id (file name or record id) is stored with other content replaces that
    older version in the same transaction. ``jobs`` > 1 runs normalization and extraction
    in that many worker processes; this process stays the only writer. Up to
    ``batch_size`` documents go into the store per transaction; each transaction is
    atomic, so a crash never leaves part of a document. Returns the report; raises only
    StoreError (the store itself failed) — problems of single documents are in
    ``report.failed``. With ``resolve`` (the default), persons are then resolved across
    documents (kg.resolve) when any document was stored, and the outcome is in
    ``report.resolution``.
    """
    start = time.perf_counter()
    report = IngestReport()
    notify = progress or (lambda status, source: None)
    seen: set[str] = set()
    written: set[str] = set()  # graphs stored in this run: never replaced by a same-id document
    dropped: set[str] = set()  # older versions replaced in this run
    derived = _Derived(store) if resolve else None

    def candidates():
        for entry in read_paths(paths):
            if entry.skipped is not None:
                report.files_skipped += 1
                notify("skipped", entry.source)
            elif entry.error is not None:
                report.failed.append((entry.source, _problem(entry.error)))
                notify("failed", entry.source)
            else:
                h = entry.document.content_hash
                if h in seen or (not force and store.has_document_hash(h)):
                    report.unchanged += 1
                    notify("unchanged", entry.source)
                    continue
                seen.add(h)
                yield entry

    def older_versions(result: Processed) -> list[str]:
        if not result.doc_id:
            return []
        return [g for g in store.documents_with_file(result.doc_id) if g != result.doc_iri and g not in written]

    def count(result: Processed) -> None:
        report.documents += 1
        report.persons += result.persons
        report.holdings += result.holdings
        report.events += result.events
        report.triples += result.triples or len(result.quads)
        notify("ingested", result.source)

    def fail(result: Processed, problem: str) -> None:
        report.failed.append((result.source, problem))
        notify("failed", result.source)

    def flush(batch: list[Processed]) -> None:
        good = [r for r in batch if r.problem is None]
        if good and derived is not None:
            derived.mark()
        stored = False
        if len(good) > 1:
            try:
                drop = [g for r in good for g in older_versions(r)]
                if derived is not None:
                    derived.before_drop(drop)
                store.put_documents([(r.doc_iri, r.payload()) for r in good], drop=drop)
                dropped.update(drop)
                stored = True
            except StoreError:
                raise
            except KGError:
                pass  # store them one by one below, to tell which one failed
        problems: dict[int, str] = {}
        if not stored:
            for i, r in enumerate(batch):
                if r.problem is not None:
                    continue
                try:
                    drop = older_versions(r)
                    if derived is not None:
                        derived.before_drop(drop)
                    store.put_documents([(r.doc_iri, r.payload())], drop=drop)
                    dropped.update(drop)
                except StoreError:
                    raise
                except KGError as exc:
                    problems[i] = _problem(exc)
        for i, r in enumerate(batch):
            if r.problem is not None or i in problems:
                fail(r, r.problem or problems[i])
            else:
                written.add(r.doc_iri)
                count(r)

    if jobs <= 1:
        results: Iterable[Processed] = (
            process(e.document, source=e.source, ingested_at=ingested_at) for e in candidates())
    else:
        results = process_parallel(candidates(), jobs=jobs, ingested_at=ingested_at)
    batch: list[Processed] = []
    for result in results:
        batch.append(result)
        if len(batch) >= max(1, batch_size):
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    if derived is not None:
        report.resolution = derived.update(written | dropped, stored=report.documents > 0,
                                           missing=report.unchanged > 0, phases=report.phases)
        report.rankings_stale = derived.stale_rankings
    report.seconds = time.perf_counter() - start
    return report


class _Derived:
    """The store-level graphs derived from the documents (kg.resolve's resolution, kg.aggregates).

    Before the first document of a run is written, each existing derived graph gets its
    ``kg:updatePending`` marker, so that a crash between the document writes and the update
    of the derived graphs leaves them marked, and the next run recomputes them whole; a graph
    that was already marked when the run began (an earlier crash) is recomputed whole too.
    """

    def __init__(self, store):
        self.store = store
        self.resolved, self.aggregated = has_resolution(store), has_aggregates(store)
        self.repair = self.resolved and store.is_pending(RESOLUTION_GRAPH)
        self.repair_aggregates = self.aggregated and store.is_pending(AGGREGATES_GRAPH)
        self.marked = False
        self.stale_rankings = False
        self.touched: tuple[set[str], set[str]] | None = (set(), set())  # of removed documents

    def before_drop(self, documents) -> None:
        """Note the persons and organizations of documents about to be removed (kg.aggregates)."""
        found = touched_by(self.store, documents) if documents else (set(), set())
        if found is None or self.touched is None:
            self.touched = None
        else:
            self.touched[0].update(found[0])
            self.touched[1].update(found[1])

    def mark(self) -> None:
        if not self.marked and not getattr(self.store, "read_only", False):
            if self.resolved:
                self.store.set_pending(RESOLUTION_GRAPH, True)
            if self.aggregated:
                self.store.set_pending(AGGREGATES_GRAPH, True)
            self.marked = True

    def update(self, documents: set[str], *, stored: bool, missing: bool = False,
               phases: dict[str, float] | None = None):
        """Resolve again (only the name blocks of ``documents`` when the graph was complete)
        and rebuild the aggregates, when documents changed, a graph is marked or missing.
        Returns the resolution report (None when not run); ``phases`` gets the seconds of each."""
        out = None
        phases = {} if phases is None else phases
        if stored or self.repair or (missing and not self.resolved):
            start = time.perf_counter()
            out = run_resolve(self.store, store_dir=getattr(self.store, "path", None), repair=self.repair,
                              documents=None if self.repair or not self.resolved else documents)
            phases["resolution"] = time.perf_counter() - start
        if stored or self.repair_aggregates or (missing and not self.aggregated):
            start = time.perf_counter()
            # the precomputed rows of served_with, people_by_province: those of the changed documents
            touched = None
            if self.aggregated and not self.repair_aggregates and self.touched is not None:
                touched = touched_by(self.store, documents)
                touched = None if touched is None else (touched[0] | self.touched[0], touched[1] | self.touched[1])
            rebuild_aggregates(self.store, repair=self.repair_aggregates, touched=touched)
            phases["aggregates"] = time.perf_counter() - start
        if stored:
            self.stale_rankings = self.mark_rankings_stale()
        return out

    def mark_rankings_stale(self) -> bool:
        """Mark the precomputed rankings (kg.rankings) out of date: rebuilding them reads every
        row, so `kg resolve` does it, not each ingest; until then the listing queries compute
        their first rows at query time (kg.queries.run), slower but right. True when the
        store has rankings (now out of date)."""
        if has_rankings(self.store) and not getattr(self.store, "read_only", False):
            self.store.set_pending(RANKINGS_GRAPH, True)
            return True
        return False


def remove(doc_iri: str, *, store) -> None:
    """Remove one document's graph, then resolve persons again (when the store was resolved:
    the name blocks of the removed document's persons), so that no person stays joined on the
    removed document's evidence, and rebuild the precomputed rows (kg.aggregates)."""
    derived = _Derived(store)
    derived.before_drop([doc_iri])
    derived.mark()
    store.remove_document(doc_iri)
    if derived.resolved:
        run_resolve(store, store_dir=getattr(store, "path", None), repair=derived.repair,
                    documents=None if derived.repair else [doc_iri])
    touched = derived.touched if derived.aggregated and not derived.repair_aggregates else None
    rebuild_aggregates(store, repair=derived.repair_aggregates, touched=touched)
    derived.mark_rankings_stale()
