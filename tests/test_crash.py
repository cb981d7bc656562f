"""Crash and concurrency (issue 7): a document goes into the store whole or not at all.

A real `kg ingest` over a corpus is killed with SIGKILL mid-way; the store reopens, every
document graph in it is complete (as many quads as a clean extraction of that document
gives), and running the same command again finishes the job with the counts of a clean
run. Two writers: the second waits, then fails with one line (exit 2); a reader during the
write sees complete documents. Re-ingesting is idempotent; `kg remove` drops a document
and what only it supported.

The corpus is the first articles of ../shared/corpus/unlabeled/articles.jsonl, read at run
time (the tests are skipped without it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.ingest import read_jsonl
from kg.pipeline import process
from kg.store import Store
from kg.vocab import KG

HERE = Path(__file__).resolve().parent
KG_BIN = HERE.parent / ".venv" / "bin" / "kg"
CORPUS = HERE.parent.parent / "shared" / "corpus" / "unlabeled" / "articles.jsonl"
ARTICLES = 600  # about ten seconds of ingest: long enough to kill it in the middle

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus/unlabeled")

DOC_BASE = "https://w3id.org/kg-vn/doc/"
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
DOC_GRAPHS = f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g a <{KG.Document}> }} }}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "articles.jsonl"
    with open(CORPUS, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        for _, line in zip(range(ARTICLES), src):
            out.write(line)
    return path


def clean_extraction(corpus: Path, iris: set[str]) -> dict[str, int]:
    """Document graph IRI -> number of quads of a clean in-process extraction, for ``iris``."""
    counts = {}
    for entry in read_jsonl(corpus):
        assert entry.document is not None, entry.error
        if DOC_BASE + entry.document.content_hash in iris:
            result = process(entry.document)
            assert result.problem is None, result.problem
            counts[result.doc_iri] = len(result.quads)
    return counts


def kg(store: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(KG_BIN), "--store", str(store), *args], capture_output=True, text=True,
                          timeout=600, **kwargs)


def start(store: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(KG_BIN), "--store", str(store), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def graph_counts(store: Path) -> tuple[dict[str, int], set[str]]:
    """(quads per named graph, the graphs that are documents), read-only."""
    with Store.open(store, read_only=True) as s:
        per_graph = {g: n for g, n in s.query(PER_GRAPH).rows}
        docs = {g for (g,) in s.query(DOC_GRAPHS).rows}
    return per_graph, docs


def assert_documents_complete(snapshot: tuple[dict[str, int], set[str]], expected: dict[str, int]) -> int:
    """Every document graph of a ``graph_counts`` snapshot holds exactly the quads it should
    (``expected``: graph -> quads); returns how many document graphs there are."""
    per_graph, docs = snapshot
    for g in docs:
        assert per_graph[g] == expected[g], f"document graph {g} has {per_graph[g]} quads, expected {expected[g]}"
    # no graph holds a part of a document without its kg:Document node
    strays = [g for g in per_graph if g.startswith(DOC_BASE) and g not in docs]
    assert strays == []
    return len(docs)


def wait_for_documents(store: Path, proc: subprocess.Popen, *, at_least: int, timeout: float = 120) -> int:
    """Poll the store (read-only) until it holds ``at_least`` documents while ``proc`` runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the ingest finished before it could be interrupted"
        if (store / "oxigraph").is_dir():
            try:
                _, docs = graph_counts(store)
            except Exception:  # the writer may be creating the store right now
                docs = set()
            if len(docs) >= at_least:
                return len(docs)
        time.sleep(0.1)
    raise AssertionError("the ingest stored nothing in time")


def test_sigkill_mid_ingest_then_resume(tmp_path, corpus):
    store = tmp_path / "store"
    proc = start(store, "ingest", str(corpus))
    try:
        wait_for_documents(store, proc, at_least=40)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    after_kill = graph_counts(store)
    partial = assert_documents_complete(after_kill, clean_extraction(corpus, after_kill[1]))
    assert 0 < partial < ARTICLES

    resumed = kg(store, "ingest", str(corpus))  # the same command finishes the job
    assert resumed.returncode == 0, resumed.stderr
    assert f"{partial} unchanged" in resumed.stdout
    assert resumed.stdout.startswith(f"{ARTICLES - partial} documents")
    per_graph, docs = graph_counts(store)
    assert len(docs) == ARTICLES
    assert assert_documents_complete(after_kill, per_graph) == partial  # kept as they were

    clean = tmp_path / "clean"
    assert kg(clean, "ingest", str(corpus)).returncode == 0
    clean_graphs, clean_docs = graph_counts(clean)
    assert clean_docs == docs
    assert clean_graphs == per_graph  # document graphs and the store-level graphs alike
    stats = kg(store, "stats").stdout
    assert stats.replace(str(store), "") == kg(clean, "stats").stdout.replace(str(clean), "")


def test_second_writer_fails_clearly_and_readers_see_whole_documents(tmp_path, corpus):
    store = tmp_path / "store"
    first = start(store, "ingest", str(corpus))
    try:
        wait_for_documents(store, first, at_least=10)
        other = tmp_path / "other.txt"
        other.write_text("Đồng chí Lò Văn Pánh, Chủ tịch Ủy ban nhân dân xã Mường Lạn dự hội nghị.", encoding="utf-8")
        t0 = time.monotonic()
        second = kg(store, "ingest", str(other))
        assert time.monotonic() - t0 >= 1.5  # it waited for the lock first
        assert second.returncode == 2
        assert second.stderr.strip() == f"kg: {store}: is in use by another kg process (waited 2 s); wait for it to finish"
        assert "Traceback" not in second.stderr
        # readers during the write: a consistent state, every stored document whole
        snapshots = []
        for _ in range(3):
            stats = kg(store, "stats")
            assert stats.returncode == 0, stats.stderr
            snapshots.append(graph_counts(store))
            time.sleep(0.3)
        assert first.poll() is None or first.returncode == 0
    finally:
        out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    final, docs = graph_counts(store)
    assert len(docs) == ARTICLES
    for snapshot in snapshots:  # what the readers saw of each document is what it ended up as
        assert assert_documents_complete(snapshot, final) >= 10
    some = set(list(docs)[:25])
    assert assert_documents_complete(({g: final[g] for g in some}, some), clean_extraction(corpus, some)) == 25
    assert "Lò Văn Pánh" not in kg(store, "export", "--format", "facts").stdout


def _quads_without_times(store: Path) -> set[str]:
    """Every quad as N-Quads text, except the ingest time (which a --force run renews)."""
    with Store.open(store, read_only=True) as s:
        data = s.dumps("nquads").decode("utf-8")
    return {line for line in data.splitlines() if line and "generatedAtTime" not in line}


def test_reingest_is_idempotent(tmp_path, corpus):
    small = tmp_path / "small.jsonl"
    small.write_text("".join(corpus.read_text(encoding="utf-8").splitlines(keepends=True)[:40]), encoding="utf-8")
    store = tmp_path / "store"
    assert kg(store, "ingest", str(small)).returncode == 0
    once = _quads_without_times(store)
    again = kg(store, "ingest", str(small))
    assert again.returncode == 0 and again.stdout.startswith("0 documents (40 unchanged)")
    assert _quads_without_times(store) == once
    forced = kg(store, "ingest", "--force", str(small))
    assert forced.returncode == 0 and forced.stdout.startswith("40 documents")
    assert _quads_without_times(store) == once


def test_remove_drops_the_document_and_what_only_it_supported(tmp_path, corpus):
    small = tmp_path / "small.jsonl"
    small.write_text("".join(corpus.read_text(encoding="utf-8").splitlines(keepends=True)[:20]), encoding="utf-8")
    store, without = tmp_path / "store", tmp_path / "without"
    assert kg(store, "ingest", str(small)).returncode == 0
    first_id = json.loads(small.read_text(encoding="utf-8").splitlines()[0])["id"]
    with Store.open(store, read_only=True) as s:
        (doc,) = [d["iri"] for d in s.documents() if d["file"] == first_id]
    r = kg(store, "remove", first_id)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"removed {doc}"
    # the same store as if the document had never been ingested
    rest = tmp_path / "rest.jsonl"
    rest.write_text("".join(small.read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")
    assert kg(without, "ingest", str(rest)).returncode == 0
    assert _quads_without_times(store) == _quads_without_times(without)
    with Store.open(store, read_only=True) as s:
        assert not s.inner.contains_named_graph(ox.NamedNode(doc))
        assert s.query("ASK { GRAPH ?g { ?s ?p ?doc } }", {"doc": doc}).rows == [(False,)]
    assert kg(store, "stats").stdout.replace(str(store), "") == kg(without, "stats").stdout.replace(str(without), "")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, *sys.argv[1:]]))
