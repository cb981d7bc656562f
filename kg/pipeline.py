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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.errors import KGError, StoreError
from kg.extract import extract
from kg.ingest import Entry, read_paths
from kg.model import Document
from kg.normalize import normalize
from kg.rdf import facts_to_quads

__all__ = ["IngestReport", "Processed", "ingest", "process"]

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
        return (
            f"{self.documents} documents{more}, {self.persons} persons, "
            f"{self.holdings} holdings, {self.events} events, {self.triples} triples "
            f"in {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class Processed:
    """A document turned into RDF, ready to store (or the problem that stopped it)."""

    source: str
    doc_iri: str | None = None
    quads: tuple = ()
    persons: int = 0
    holdings: int = 0
    events: int = 0
    problem: str | None = None


def _problem(exc: BaseException) -> str:
    """One line describing ``exc`` without the source prefix KGError adds."""
    if isinstance(exc, KGError):
        msg = str(exc)
        if exc.source and msg.startswith(f"{exc.source}: "):
            msg = msg[len(exc.source) + 2 :]
    else:
        msg = f"internal error ({type(exc).__name__}: {exc}); please report it"
    return " ".join(msg.split()) or type(exc).__name__


def process(doc: Document, *, source: str = "") -> Processed:
    """Normalize, extract and build the quads of one document. Never raises a KGError."""
    source = source or doc.source or doc.doc_id
    try:
        text = normalize(doc)
        facts = extract(text)
        doc_iri, quads = facts_to_quads(facts)
    except Exception as exc:  # one bad document must not stop the others
        return Processed(source, problem=_problem(exc))
    return Processed(
        source,
        doc_iri=str(doc_iri),
        quads=tuple(quads),
        persons=len(facts.persons),
        holdings=len(facts.holdings),
        events=len(facts.events),
    )


def _process_entry(entry: Entry) -> Processed:
    assert entry.document is not None
    return process(entry.document, source=entry.source)


def _result(source: str, future) -> Processed:
    try:
        return future.result()
    except Exception as exc:  # a worker died (e.g. out of memory)
        return Processed(source, problem=_problem(exc))


def ingest(
    paths: Iterable[str],
    *,
    store,
    force: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
) -> IngestReport:
    """Read ``paths`` and put every new document into ``store``.

    ``jobs`` > 1 runs normalization and extraction in that many worker processes; this
    process stays the only writer. Returns the report; raises only StoreError (the store
    itself failed) — problems of single documents are in ``report.failed``.
    """
    start = time.perf_counter()
    report = IngestReport()
    notify = progress or (lambda status, source: None)
    seen: set[str] = set()

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

    def store_one(result: Processed) -> None:
        if result.problem is not None:
            report.failed.append((result.source, result.problem))
            notify("failed", result.source)
            return
        try:
            store.put_document(result.doc_iri, list(result.quads))
        except StoreError:
            raise
        except KGError as exc:
            report.failed.append((result.source, _problem(exc)))
            notify("failed", result.source)
            return
        report.documents += 1
        report.persons += result.persons
        report.holdings += result.holdings
        report.events += result.events
        report.triples += len(result.quads)
        notify("ingested", result.source)

    if jobs <= 1:
        for entry in candidates():
            store_one(_process_entry(entry))
    else:
        from concurrent.futures import ProcessPoolExecutor

        window = 4 * jobs  # bounded: the corpus is streamed, never all in memory
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            pending: deque = deque()
            for entry in candidates():
                pending.append((entry.source, pool.submit(_process_entry, entry)))
                if len(pending) >= window:
                    store_one(_result(*pending.popleft()))
            while pending:
                store_one(_result(*pending.popleft()))
    report.seconds = time.perf_counter() - start
    return report
