"""The store-level graphs at scale (issue 6): kg.resolve and kg.aggregates write in bounded
batches, as a difference against what is stored, between a ``kg:updatePending`` marker and
its removal; after new or removed documents only the touched name blocks are recomputed.

Every test compares the graph written with the straightforward whole-store computation of
the public functions: ``resolution_quads(compute(read_mentions(store), judgements))`` and
``aggregate_quads(store)``. The documents are ../shared/seeds and ../shared/corpus/dev
(skipped without them) and articles from benchmarks/generate.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import aggregates, pipeline, resolve
from kg.store import Store
from kg.vocab import AGGREGATES_GRAPH, RESOLUTION_GRAPH

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import write  # noqa: E402


def stored(store, graph: str) -> set:
    return {(q.subject, q.predicate, q.object) for q in store.inner.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


def reference(store, judgements=()) -> set:
    """The resolution graph computed whole, in memory, with the public functions."""
    res = resolve.compute(resolve.read_mentions(store), list(judgements))
    return {(q.subject, q.predicate, q.object) for q in resolve.resolution_quads(res)}


def aggregates_reference(store) -> set:
    return {(q.subject, q.predicate, q.object) for q in aggregates.aggregate_quads(store)}


def assert_complete(store, judgements=()) -> None:
    assert not resolve.resolution_pending(store)
    assert not store.is_pending(AGGREGATES_GRAPH)
    assert stored(store, RESOLUTION_GRAPH) == reference(store, judgements)
    assert stored(store, AGGREGATES_GRAPH) == aggregates_reference(store)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path]:
    """300 generated articles, and 40 more (numbered after them)."""
    folder = tmp_path_factory.mktemp("generated")
    return write(300, folder / "a.jsonl"), write(40, folder / "b.jsonl", start=300)


def test_bounded_batches_write_the_same_graph_as_the_whole_computation(tmp_path):
    if not (SHARED / "seeds").is_dir() or not (SHARED / "corpus" / "dev").is_dir():
        pytest.skip("needs ../shared/seeds and ../shared/corpus/dev")
    with Store.open(tmp_path / "store") as store:
        pipeline.ingest([str(SHARED / "seeds"), str(SHARED / "corpus" / "dev")], store=store, resolve=False)
        report = resolve.resolve(store, batch=7)  # many small transactions
        aggregates.rebuild(store, batch=50)
        assert_complete(store)
        whole = resolve.compute(resolve.read_mentions(store)).report
        assert (report.mentions, report.entities, report.joins, report.reasons) == \
            (whole.mentions, whole.entities, whole.joins, whole.reasons)
        before = stored(store, RESOLUTION_GRAPH)
        assert aggregates.rebuild(store) == 0  # nothing changed: nothing written
        resolve.resolve(store, batch=1000)  # one transaction, nothing to change
        assert stored(store, RESOLUTION_GRAPH) == before


def test_incremental_after_adding_and_removing_documents_equals_a_full_recompute(tmp_path, generated):
    a, b = generated
    with Store.open(tmp_path / "store") as store:
        pipeline.ingest([str(a)], store=store)
        assert_complete(store)
        report = pipeline.ingest([str(b)], store=store).resolution
        assert_complete(store)
        assert 0 < report.mentions < len(resolve.read_mentions(store)) / 2  # only the touched blocks
        for doc in store.documents()[:5]:
            pipeline.remove(doc["iri"], store=store)
        assert_complete(store)


def test_an_edited_document_replaces_its_blocks(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Ngày 15/3/2021, ông Nguyễn Văn Sơn, Giám đốc Sở Y tế tỉnh Lào Cai chủ trì hội nghị.\n",
                                encoding="utf-8")
    (docs / "b.txt").write_text("Ngày 10/5/2022, đồng chí Nguyễn Văn Sơn, Giám đốc Sở Y tế tỉnh Lào Cai, kiểm tra "
                                "công tác phòng chống dịch.\n", encoding="utf-8")
    with Store.open(tmp_path / "store") as store:
        pipeline.ingest([str(docs)], store=store)
        assert_complete(store)
        (docs / "b.txt").write_text("Ngày 10/5/2022, đồng chí Trần Văn Nam, Giám đốc Sở Y tế tỉnh Hà Giang, kiểm tra "
                                    "công tác phòng chống dịch.\n", encoding="utf-8")
        pipeline.ingest([str(docs)], store=store)
        assert_complete(store)
        names = {str(o) for _, p, o in stored(store, RESOLUTION_GRAPH) if p.value.endswith("#name")}
        assert '"Trần Văn Nam"' in names


def test_judgements_across_batches_equal_the_whole_computation(tmp_path, generated):
    a, _ = generated
    with Store.open(tmp_path / "store") as store:
        pipeline.ingest([str(a)], store=store, resolve=False)
        mentions = resolve.read_mentions(store)
        x, y, z = mentions[0], mentions[-1], mentions[len(mentions) // 2]
        judgements = [resolve.Judgement("merge", x.ref(), y.ref()), resolve.Judgement("merge", y.ref(), z.ref()),
                      resolve.Judgement("split", x.ref(), z.ref())]
        report = resolve.resolve(store, judgements=judgements, batch=3)
        assert report.reasons["judgement"] >= 1
        assert stored(store, RESOLUTION_GRAPH) == reference(store, judgements)


def test_a_write_interrupted_mid_way_is_marked_and_the_next_run_repairs_it(tmp_path, generated, monkeypatch):
    a, b = generated
    with Store.open(tmp_path / "store") as store:
        pipeline.ingest([str(a)], store=store)
        documents = len(store.documents())
        calls = []
        real = resolve._BlockWriter.apply

        def crash_after_two(self, delete, insert):
            calls.append(1)
            if len(calls) > 2:
                raise KeyboardInterrupt  # the process stops between two transactions
            real(self, delete, insert)

        monkeypatch.setattr(resolve._BlockWriter, "apply", crash_after_two)
        monkeypatch.setattr(resolve, "BATCH_MENTIONS", 10)
        with pytest.raises(KeyboardInterrupt):
            pipeline.ingest([str(b)], store=store)
        monkeypatch.setattr(resolve._BlockWriter, "apply", real)
        assert resolve.resolution_pending(store) and store.is_pending(AGGREGATES_GRAPH)
        assert len(store.documents()) == documents + 40  # the documents are stored whole
        report = pipeline.ingest([str(b)], store=store)  # nothing new to store: the marker decides
        assert report.documents == 0 and report.resolution is not None
        assert_complete(store)
        assert len(store.documents()) == documents + 40


def test_a_crash_between_the_documents_and_the_resolution_is_repaired(tmp_path, generated, monkeypatch):
    a, b = generated
    with Store.open(tmp_path / "store") as store:
        pipeline.ingest([str(a)], store=store)

        def crash(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(pipeline, "run_resolve", crash)
        with pytest.raises(KeyboardInterrupt):
            pipeline.ingest([str(b)], store=store)
        monkeypatch.undo()
        assert resolve.resolution_pending(store)
        pipeline.ingest([str(b)], store=store)
        assert_complete(store)


def test_a_resolution_left_marked_is_recomputed_whole_by_kg_resolve(tmp_path, generated):
    a, _ = generated
    with Store.open(tmp_path / "store") as store:
        pipeline.ingest([str(a)], store=store)
        expected = stored(store, RESOLUTION_GRAPH)
        # a half-written state: one mention resolved elsewhere, one stray node, the marker
        g = ox.NamedNode(RESOLUTION_GRAPH)
        m = next(store.inner.quads_for_pattern(None, resolve._P.resolvedTo, None, g))
        store.inner.remove(m)
        stray = ox.NamedNode("https://w3id.org/kg-vn/entity/stray")
        store.inner.add(ox.Quad(m.subject, m.predicate, stray, g))
        store.inner.add(ox.Quad(stray, resolve._P.type, resolve._P.PersonEntity, g))
        store.set_pending(RESOLUTION_GRAPH, True)
        resolve.resolve(store)
        assert not resolve.resolution_pending(store)
        assert stored(store, RESOLUTION_GRAPH) == expected
